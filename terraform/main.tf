# The secret and who may use it. The value is never managed here, so it never
# reaches Terraform state: dockerhub-credentials writes it.

data "aws_region" "current" {}

locals {
  # IAM policy names allow [A-Za-z0-9+=,.@_-]; the secret name's slashes become dashes.
  policy_prefix     = replace(var.secret_name, "/", "-")
  read_policy_name  = "${local.policy_prefix}-read"
  write_policy_name = "${local.policy_prefix}-write"
  region            = data.aws_region.current.name

  # A replica's ARN is the primary's with its own region (same account, name and suffix).
  replica_arns = [for r in var.replica_regions : replace(aws_secretsmanager_secret.this.arn, ":${local.region}:", ":${r}:")]
  # Readers may read the primary and every replica (ECS and CodeBuild in a replica's region read the local copy).
  readable_arns     = concat([aws_secretsmanager_secret.this.arn], local.replica_arns)
  read_via_services = [for r in concat([local.region], var.replica_regions) : "secretsmanager.${r}.amazonaws.com"]

  # Who reads the secret, for setup's --consumers (the keys each one needs are written by the CLI).
  consumers = concat(
    length(var.ecs_task_execution_role_names) > 0 ? ["ecs"] : [],
    length(var.codebuild_service_role_names) > 0 ? ["codebuild"] : [],
    var.create_ecr_pull_through_cache_rule ? ["ecr-pull-through-cache"] : [],
  )

  read_actions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
  ]

  # Exactly what the operator commands call: setup, rotate, rollback, verify, login and history
  # (src/aws/store.ts; tags hold each version's expiry and label).
  write_actions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutSecretValue",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:UpdateSecretVersionStage",
  ]

  read_statements = concat(
    [{
      Sid      = "ReadDockerHubCredential"
      Effect   = "Allow"
      Action   = local.read_actions
      Resource = local.readable_arns
    }],
    # The key decrypts only this secret (and its replicas), and only through Secrets Manager.
    var.kms_key_arn == null ? [] : [{
      Sid      = "DecryptViaSecretsManager"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = var.kms_key_arn
      Condition = { StringEquals = {
        "kms:ViaService"                  = local.read_via_services
        "kms:EncryptionContext:SecretARN" = local.readable_arns
      } }
    }],
  )

  write_statements = concat(
    [{
      Sid      = "WriteDockerHubCredential"
      Effect   = "Allow"
      Action   = local.write_actions
      Resource = aws_secretsmanager_secret.this.arn
    }],
    # Writes go to the primary only; Secrets Manager replicates them itself.
    var.kms_key_arn == null ? [] : [{
      Sid      = "EncryptViaSecretsManager"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = var.kms_key_arn
      Condition = { StringEquals = {
        "kms:ViaService"                  = "secretsmanager.${local.region}.amazonaws.com"
        "kms:EncryptionContext:SecretARN" = aws_secretsmanager_secret.this.arn
      } }
    }],
  )
}

resource "aws_secretsmanager_secret" "this" {
  name                    = var.secret_name
  description             = var.description
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags

  dynamic "replica" {
    for_each = toset(var.replica_regions)
    content {
      region = replica.value
    }
  }
}

resource "aws_iam_policy" "read" {
  name        = local.read_policy_name
  description = "Read the Docker Hub credential in ${var.secret_name} (CI agents)."
  policy      = jsonencode({ Version = "2012-10-17", Statement = local.read_statements })
  tags        = var.tags
}

resource "aws_iam_policy" "write" {
  name        = local.write_policy_name
  description = "Write, rotate and roll back the Docker Hub credential in ${var.secret_name} (operators running dockerhub-credentials)."
  policy      = jsonencode({ Version = "2012-10-17", Statement = local.write_statements })
  tags        = var.tags
}

# Operators; the read policy's attachments are in attachments.tf.
resource "aws_iam_role_policy_attachment" "write" {
  for_each   = toset(var.writer_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.write.arn
}

# An ECR pull-through cache for Docker Hub that logs in with this secret
# (run setup with --consumers ecr-pull-through-cache so it holds "accessToken").
resource "aws_ecr_pull_through_cache_rule" "docker_hub" {
  count                 = var.create_ecr_pull_through_cache_rule ? 1 : 0
  ecr_repository_prefix = var.ecr_repository_prefix
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = aws_secretsmanager_secret.this.arn
}
