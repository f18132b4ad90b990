# The check on the tags dockerhub-credentials writes: the provider below shows them when the
# secret is read back, as a provider without ignore_tags for "dockerhub-credentials:" does.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-2"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
    }
  }
  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/mocked"
    }
  }
  mock_data "aws_secretsmanager_secret" {
    defaults = {
      tags = { "dockerhub-credentials:version:0b1c" = "eyJlIjoiMjAyNy0wMS0wMSJ9", team = "platform" }
    }
  }
}

run "warns_before_an_apply_that_would_remove_the_tools_tags" {
  command = apply

  expect_failures = [check.tool_tags_survive_apply]
}
