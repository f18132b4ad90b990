# Example root module: the Docker Hub secret, readable by a CI agent role.
#   terraform -chdir=terraform/examples/ci-agent init
#   terraform -chdir=terraform/examples/ci-agent apply
# then run the command in the setup_command output.

variable "region" {
  description = "AWS region of the secret."
  type        = string
  default     = "eu-west-2"
}

variable "secret_name" {
  description = "Name of the secret."
  type        = string
  default     = "ci/dockerhub"
}

provider "aws" {
  region = var.region

  # dockerhub-credentials records each token version's expiry and label as tags
  # on the secret (dockerhub-credentials:version:<id>); without this, the next
  # apply would remove them, since the module manages the secret's tags (its
  # plan warns). The module's own tag, dockerhub-credentials-consumers, lies
  # outside this prefix on purpose: the CLI reads the consumers from it.
  ignore_tags {
    key_prefixes = ["dockerhub-credentials:"]
  }
}

resource "aws_iam_role" "ci_agent" {
  name = "ci-agent"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# The roles of the services that pull private Docker Hub images through the
# secret: ECS task execution (repositoryCredentials) and CodeBuild (registryCredential).
locals {
  consumer_roles = {
    "ecs-task-execution" = "ecs-tasks.amazonaws.com"
    "codebuild-service"  = "codebuild.amazonaws.com"
  }
}

resource "aws_iam_role" "consumer" {
  for_each = local.consumer_roles
  name     = each.key
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = each.value }, Action = "sts:AssumeRole" }]
  })
}

module "dockerhub_credentials" {
  source = "../.."

  secret_name                   = var.secret_name
  reader_role_names             = [aws_iam_role.ci_agent.name]
  ecs_task_execution_role_names = [aws_iam_role.consumer["ecs-task-execution"].name]
  codebuild_service_role_names  = [aws_iam_role.consumer["codebuild-service"].name]
}

output "secret_arn" {
  value = module.dockerhub_credentials.secret_arn
}

output "secret_name" {
  value = module.dockerhub_credentials.secret_name
}

output "read_policy_arn" {
  value = module.dockerhub_credentials.read_policy_arn
}

output "write_policy_arn" {
  value = module.dockerhub_credentials.write_policy_arn
}

output "ci_agent_role_name" {
  value = aws_iam_role.ci_agent.name
}

output "consumer_role_names" {
  value = [for r in aws_iam_role.consumer : r.name]
}

output "setup_command" {
  value = module.dockerhub_credentials.setup_command
}
