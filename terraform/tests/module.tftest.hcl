# Offline tests of the module with a mocked AWS provider: the policy documents
# are asserted exactly, since moto checks IAM actions but not resources.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-2"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
      # As the provider computes it when ignore_tags leaves the module's consumers tag alone.
      tags_all = { "dockerhub-credentials-consumers" = "as-written" }
    }
  }
  # The secret as read back: no tags the tool wrote, unless a run says otherwise.
  mock_data "aws_secretsmanager_secret" {
    defaults = {
      tags = {}
    }
  }
  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/mocked"
    }
  }
}

variables {
  secret_name       = "ci/dockerhub"
  reader_role_names = ["ci-agent"]
  writer_role_names = ["platform-operator"]
}

run "read_policy_is_exactly_get_and_describe_on_this_secret" {
  command = apply

  assert {
    condition     = length(jsondecode(aws_iam_policy.read.policy).Statement) == 1
    error_message = "Without a customer key the read policy has one statement."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[0].Action == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    error_message = "The read policy grants exactly DescribeSecret and GetSecretValue."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[0].Resource == ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"]
    error_message = "The read policy is scoped to this secret's ARN alone."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[0].Effect == "Allow"
    error_message = "The read statement allows."
  }
  assert {
    condition     = aws_iam_policy.read.name == "ci-dockerhub-read" && aws_iam_policy.write.name == "ci-dockerhub-write"
    error_message = "Policy names derive from the secret name, as the README documents."
  }
  assert {
    condition     = keys(aws_iam_role_policy_attachment.read) == ["ci-agent"] && keys(aws_iam_role_policy_attachment.write) == ["platform-operator"]
    error_message = "Each policy is attached to each named role."
  }
  assert {
    condition     = output.setup_command == "npx dockerhub-credentials setup --secret-id ci/dockerhub --region eu-west-2"
    error_message = "setup_command is the exact next command."
  }
}

run "write_policy_is_what_the_cli_needs" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_policy.write.policy).Statement[0].Action == [
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:ListSecretVersionIds",
      "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecretVersionStage",
    ]
    error_message = "The write policy grants exactly what setup, rotate, rollback, verify, login and history call (src/aws/store.ts)."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[0].Resource == "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
    error_message = "The write policy is scoped to this secret's ARN alone."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[1].Action == ["secretsmanager:TagResource", "secretsmanager:UntagResource"] && jsondecode(aws_iam_policy.write.policy).Statement[1].Resource == "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
    error_message = "Tagging and untagging are a statement of their own, on this secret alone."
  }
  assert {
    condition = jsondecode(aws_iam_policy.write.policy).Statement[1].Condition == {
      "ForAllValues:StringLike" = { "aws:TagKeys" = ["dockerhub-credentials:*"] }
      Null                      = { "aws:TagKeys" = "false" }
    }
    error_message = "Operators may tag and untag only the tool's keys (dockerhub-credentials:...), and only with keys named."
  }
  assert {
    condition     = length(jsondecode(aws_iam_policy.write.policy).Statement) == 2
    error_message = "Without a customer key there is no KMS statement."
  }
  assert {
    condition     = output.write_policy_json == aws_iam_policy.write.policy && output.read_policy_json == aws_iam_policy.read.policy
    error_message = "The outputs hold the policies' JSON documents, for SSO permission sets, users and groups."
  }
  assert {
    condition     = output.pull_policy_json == null && output.pull_policy_arn == null && length(aws_iam_policy.pull) == 0
    error_message = "No pull policy without a pull-through cache rule."
  }
  assert {
    condition     = length(aws_secretsmanager_secret_policy.this) == 0
    error_message = "No resource policy unless one is given."
  }
}

run "kms_statements_only_with_a_key_and_only_via_secrets_manager" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(jsondecode(aws_iam_policy.read.policy).Statement) == 2
    error_message = "With a key the read policy gains one KMS statement."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Action == ["kms:Decrypt"]
    error_message = "Readers get kms:Decrypt only."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Resource == ["arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    error_message = "The KMS statement is scoped to the key."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Condition.StringEquals["kms:ViaService"] == ["secretsmanager.eu-west-2.amazonaws.com"]
    error_message = "kms:Decrypt is allowed only via Secrets Manager in this region."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Condition.StringEquals["kms:EncryptionContext:SecretARN"] == ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"]
    error_message = "kms:Decrypt is allowed only for this secret (its encryption context SecretARN)."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[2].Condition.StringEquals["kms:EncryptionContext:SecretARN"] == "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
    error_message = "Writers' KMS use is limited to this secret's encryption context."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[2].Action == ["kms:Decrypt", "kms:GenerateDataKey"]
    error_message = "Writers get kms:Decrypt and kms:GenerateDataKey."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[2].Condition.StringEquals["kms:ViaService"] == "secretsmanager.eu-west-2.amazonaws.com"
    error_message = "Writers' KMS use is conditioned on Secrets Manager too."
  }
  assert {
    condition     = aws_secretsmanager_secret.this.kms_key_id == "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "The secret is encrypted with the given key."
  }
}

run "replicas_are_created_when_asked_and_readable" {
  command = apply

  variables {
    replica_regions = ["eu-west-1", "us-east-1"]
    kms_key_arn     = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    replica_kms_key_arns = {
      "eu-west-1" = "arn:aws:kms:eu-west-1:123456789012:key/eu1"
      "us-east-1" = "arn:aws:kms:us-east-1:123456789012:key/use1"
    }
  }

  assert {
    condition     = { for r in aws_secretsmanager_secret.this.replica : r.region => r.kms_key_id } == { "eu-west-1" = "arn:aws:kms:eu-west-1:123456789012:key/eu1", "us-east-1" = "arn:aws:kms:us-east-1:123456789012:key/use1" }
    error_message = "Each replica is encrypted with its own region's key, not aws/secretsmanager."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Resource == ["arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-west-1:123456789012:key/eu1", "arn:aws:kms:us-east-1:123456789012:key/use1"]
    error_message = "Readers may decrypt with the primary's key and each replica's key."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[2].Resource == "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "Writers use the primary's key only."
  }

  assert {
    condition     = length(aws_secretsmanager_secret.this.replica) == 2
    error_message = "One replica per requested region."
  }
  assert {
    condition = jsondecode(aws_iam_policy.read.policy).Statement[0].Resource == [
      "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf",
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/dockerhub-AbCdEf",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:ci/dockerhub-AbCdEf",
    ]
    error_message = "The read policy names the primary and every replica's ARN."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Condition.StringEquals["kms:EncryptionContext:SecretARN"] == jsondecode(aws_iam_policy.read.policy).Statement[0].Resource
    error_message = "Readers may decrypt the primary and the replicas, and nothing else."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Condition.StringEquals["kms:ViaService"] == ["secretsmanager.eu-west-2.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"]
    error_message = "Decrypt via Secrets Manager in the primary's and the replicas' regions."
  }
  assert {
    condition     = jsondecode(aws_iam_policy.write.policy).Statement[0].Resource == "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
    error_message = "Writers write the primary only; Secrets Manager replicates."
  }
  assert {
    condition     = output.replica_arns == ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/dockerhub-AbCdEf", "arn:aws:secretsmanager:us-east-1:123456789012:secret:ci/dockerhub-AbCdEf"]
    error_message = "replica_arns lists each replica."
  }
}

run "no_replicas_by_default" {
  command = apply

  assert {
    condition     = length(aws_secretsmanager_secret.this.replica) == 0
    error_message = "No replica unless asked."
  }
}

run "ecs_and_codebuild_roles_get_the_read_policy" {
  command = apply

  variables {
    ecs_task_execution_role_names = ["ecsTaskExecutionRole", "batch-execution"]
    codebuild_service_role_names  = ["codebuild-build"]
  }

  assert {
    condition     = keys(aws_iam_role_policy_attachment.read) == ["batch-execution", "ci-agent", "codebuild-build", "ecsTaskExecutionRole"]
    error_message = "Each CI agent, ECS task execution role and CodeBuild service role gets one read policy attachment."
  }
  assert {
    condition     = alltrue([for a in aws_iam_role_policy_attachment.read : a.policy_arn == aws_iam_policy.read.arn])
    error_message = "Consumers get the read policy, never the write policy."
  }
  assert {
    condition     = output.setup_command == "npx dockerhub-credentials setup --secret-id ci/dockerhub --region eu-west-2 --consumers ecs,codebuild"
    error_message = "setup_command declares the consumers, so setup writes the keys they read."
  }
  assert {
    condition     = length(aws_ecr_pull_through_cache_rule.docker_hub) == 0 && output.ecr_pull_through_cache_prefix == null
    error_message = "No pull-through cache rule unless asked."
  }
}

run "ecr_pull_through_cache_rule_for_docker_hub" {
  command = apply

  variables {
    secret_name                        = "ecr-pullthroughcache/dockerhub"
    create_ecr_pull_through_cache_rule = true
  }

  assert {
    condition     = aws_ecr_pull_through_cache_rule.docker_hub[0].upstream_registry_url == "registry-1.docker.io" && aws_ecr_pull_through_cache_rule.docker_hub[0].ecr_repository_prefix == "docker-hub"
    error_message = "The rule caches Docker Hub under the prefix docker-hub."
  }
  assert {
    condition     = aws_ecr_pull_through_cache_rule.docker_hub[0].credential_arn == aws_secretsmanager_secret.this.arn
    error_message = "The rule logs in to Docker Hub with this secret."
  }
  assert {
    condition     = output.setup_command == "npx dockerhub-credentials setup --secret-id ecr-pullthroughcache/dockerhub --region eu-west-2 --consumers ecr-pull-through-cache"
    error_message = "setup_command asks setup to write accessToken."
  }
  assert {
    condition     = output.ecr_pull_through_cache_prefix == "docker-hub"
    error_message = "The prefix is an output."
  }
}

run "a_role_in_two_lists_gets_one_attachment" {
  command = apply

  variables {
    reader_role_names             = ["ci-agent", "shared"]
    ecs_task_execution_role_names = ["shared"]
    codebuild_service_role_names  = ["shared", "codebuild-build"]
  }

  assert {
    condition     = keys(aws_iam_role_policy_attachment.read) == ["ci-agent", "codebuild-build", "shared"]
    error_message = "One read policy attachment per role, over the union of reader_role_names and the consumer lists."
  }
}

run "a_replica_key_without_a_primary_key_still_reaches_readers" {
  command = apply

  variables {
    replica_regions      = ["eu-west-1"]
    replica_kms_key_arns = { "eu-west-1" = "arn:aws:kms:eu-west-1:123456789012:key/eu1" }
  }

  assert {
    condition     = jsondecode(aws_iam_policy.read.policy).Statement[1].Resource == ["arn:aws:kms:eu-west-1:123456789012:key/eu1"] && jsondecode(aws_iam_policy.read.policy).Statement[1].Action == ["kms:Decrypt"]
    error_message = "Readers of a replica with a customer key may decrypt with that key."
  }
  assert {
    condition     = length(jsondecode(aws_iam_policy.write.policy).Statement) == 2
    error_message = "Writers write the primary, which uses aws/secretsmanager here: no KMS statement."
  }
}

run "a_resource_policy_for_readers_in_other_accounts" {
  command = apply

  variables {
    kms_key_arn     = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    resource_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::210987654321:root\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"
  }

  assert {
    condition     = aws_secretsmanager_secret_policy.this[0].secret_arn == aws_secretsmanager_secret.this.arn && jsondecode(aws_secretsmanager_secret_policy.this[0].policy).Statement[0].Principal.AWS == "arn:aws:iam::210987654321:root"
    error_message = "The resource policy is set on the secret as given."
  }
  assert {
    condition     = aws_secretsmanager_secret_policy.this[0].block_public_policy
    error_message = "A policy that would make the secret public is refused."
  }
}

run "rejects_a_resource_policy_that_is_not_a_policy" {
  command = plan

  variables {
    kms_key_arn     = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    resource_policy = "allow everyone"
  }

  expect_failures = [var.resource_policy]
}

run "pull_policy_for_pull_through_cache_principals" {
  command = apply

  variables {
    secret_name                        = "ecr-pullthroughcache/dockerhub"
    create_ecr_pull_through_cache_rule = true
    pull_role_names                    = ["eks-node", "ecsTaskExecutionRole"]
  }

  assert {
    condition     = aws_iam_policy.pull[0].name == "ecr-pullthroughcache-dockerhub-pull" && output.pull_policy_json == aws_iam_policy.pull[0].policy && output.pull_policy_arn == aws_iam_policy.pull[0].arn
    error_message = "The pull policy is named after the secret, and its ARN and JSON are outputs."
  }
  assert {
    condition = jsondecode(aws_iam_policy.pull[0].policy).Statement == [
      {
        Sid      = "PullThroughCacheFromDockerHub"
        Effect   = "Allow"
        Action   = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
        Resource = "arn:aws:ecr:eu-west-2:123456789012:repository/docker-hub/*"
      },
      {
        Sid      = "PullCachedImages"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = "arn:aws:ecr:eu-west-2:123456789012:repository/docker-hub/*"
      },
      {
        Sid      = "LogInToEcr"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = "*"
      },
    ]
    error_message = "The pull policy: import and create under the rule's prefix, pull layers there, and log in to ECR."
  }
  assert {
    condition     = keys(aws_iam_role_policy_attachment.pull) == ["ecsTaskExecutionRole", "eks-node"] && alltrue([for a in aws_iam_role_policy_attachment.pull : a.policy_arn == aws_iam_policy.pull[0].arn])
    error_message = "Each pull role gets the pull policy."
  }
  assert {
    condition     = length(aws_kms_grant.ecr_pull_through_cache) == 0
    error_message = "No KMS grant with the AWS-managed key (ECR's role may use it already)."
  }
}

run "with_a_customer_key_ecrs_service_role_gets_a_decrypt_grant" {
  command = apply

  variables {
    secret_name                        = "ecr-pullthroughcache/dockerhub"
    create_ecr_pull_through_cache_rule = true
    kms_key_arn                        = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_kms_grant.ecr_pull_through_cache[0].grantee_principal == "arn:aws:iam::123456789012:role/aws-service-role/pullthroughcache.ecr.amazonaws.com/AWSServiceRoleForECRPullThroughCache"
    error_message = "The grant is for ECR's pull-through cache service-linked role."
  }
  assert {
    condition     = aws_kms_grant.ecr_pull_through_cache[0].operations == toset(["Decrypt"]) && aws_kms_grant.ecr_pull_through_cache[0].key_id == "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "The grant allows Decrypt on the secret's key, nothing else."
  }
  assert {
    condition     = length(aws_kms_grant.ecr_pull_through_cache[0].constraints) == 1 && one(aws_kms_grant.ecr_pull_through_cache[0].constraints).encryption_context_subset == tomap({ SecretARN = aws_secretsmanager_secret.this.arn })
    error_message = "The grant decrypts this secret only (its encryption context)."
  }
}

run "the_declared_consumers_are_a_tag_on_the_secret" {
  command = apply

  variables {
    ecs_task_execution_role_names = ["ecsTaskExecutionRole"]
    codebuild_service_role_names  = ["codebuild-build"]
    tags                          = { team = "platform" }
  }

  assert {
    condition     = aws_secretsmanager_secret.this.tags == tomap({ team = "platform", "dockerhub-credentials-consumers" = "ecs codebuild" })
    error_message = "The secret carries the consumers, space-separated (tag values allow no comma), for the CLI to read."
  }
  assert {
    condition     = aws_iam_policy.read.tags == tomap({ team = "platform" })
    error_message = "The policies carry only the caller's tags."
  }
}

run "no_consumers_tag_without_consumers" {
  command = apply

  assert {
    condition     = !contains(keys(aws_secretsmanager_secret.this.tags), "dockerhub-credentials-consumers")
    error_message = "Without consumers there is no consumers tag."
  }
}

run "rejects_a_recovery_window_of_3" {
  command = plan

  variables {
    recovery_window_in_days = 3
  }

  expect_failures = [var.recovery_window_in_days]
}

run "rejects_an_empty_secret_name" {
  command = plan

  variables {
    secret_name = ""
  }

  expect_failures = [var.secret_name]
}

run "rejects_a_role_arn_where_a_role_name_belongs" {
  command = plan

  variables {
    reader_role_names = ["arn:aws:iam::123456789012:role/ci-agent"]
  }

  expect_failures = [var.reader_role_names]
}

run "rejects_a_malformed_kms_key" {
  command = plan

  variables {
    kms_key_arn = "alias/my-key"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_an_ecr_rule_for_a_secret_without_the_prefix" {
  command = plan

  variables {
    secret_name                        = "ci/dockerhub"
    create_ecr_pull_through_cache_rule = true
  }

  expect_failures = [var.create_ecr_pull_through_cache_rule]
}

run "rejects_a_consumer_role_arn" {
  command = plan

  variables {
    ecs_task_execution_role_names = ["arn:aws:iam::123456789012:role/ecsTaskExecutionRole"]
    codebuild_service_role_names  = ["arn:aws:iam::123456789012:role/codebuild"]
  }

  expect_failures = [var.ecs_task_execution_role_names, var.codebuild_service_role_names]
}

run "rejects_replicas_without_keys_when_the_primary_has_one" {
  command = plan

  variables {
    kms_key_arn          = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    replica_regions      = ["eu-west-1", "us-east-1"]
    replica_kms_key_arns = { "eu-west-1" = "arn:aws:kms:eu-west-1:123456789012:key/eu1" }
  }

  expect_failures = [var.replica_kms_key_arns]
}

run "rejects_a_replica_key_from_another_region" {
  command = plan

  variables {
    replica_regions      = ["eu-west-1"]
    replica_kms_key_arns = { "eu-west-1" = "arn:aws:kms:eu-west-2:123456789012:key/primary" }
  }

  expect_failures = [var.replica_kms_key_arns]
}

run "rejects_a_key_for_a_region_without_a_replica" {
  command = plan

  variables {
    replica_kms_key_arns = { "eu-west-1" = "arn:aws:kms:eu-west-1:123456789012:key/eu1" }
  }

  expect_failures = [var.replica_kms_key_arns]
}

run "rejects_pull_roles_without_a_pull_through_cache_rule" {
  command = plan

  variables {
    pull_role_names = ["eks-node"]
  }

  expect_failures = [var.pull_role_names]
}

run "rejects_tags_in_the_tools_namespace" {
  command = plan

  variables {
    tags = { "dockerhub-credentials:version:x" = "y" }
  }

  expect_failures = [var.tags]
}

run "rejects_a_resource_policy_without_a_customer_key" {
  command = plan

  variables {
    resource_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::210987654321:root\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"
  }

  expect_failures = [var.resource_policy]
}

run "refuses_a_provider_that_hides_the_consumers_tag" {
  command = apply
  # A fresh state: the secret is created here, so its computed tags_all comes from the override.
  state_key = "consumers_tag_hidden"

  variables {
    ecs_task_execution_role_names = ["ecsTaskExecutionRole"]
  }

  # What the provider plans when its ignore_tags covers dockerhub-credentials-consumers.
  override_resource {
    target = aws_secretsmanager_secret.this
    values = {
      arn      = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
      tags_all = { team = "platform" }
    }
  }

  expect_failures = [aws_secretsmanager_secret.this]
}
