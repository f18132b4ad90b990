# The secret and who may use it. The value is never managed here, so it never
# reaches Terraform state: dockerhub-credentials writes it.

data "aws_region" "current" {}

locals {
  # IAM policy names allow [A-Za-z0-9+=,.@_-]; the secret name's slashes become dashes.
  policy_prefix     = replace(var.secret_name, "/", "-")
  read_policy_name  = "${local.policy_prefix}-read"
  write_policy_name = "${local.policy_prefix}-write"
  kms_via_service   = "secretsmanager.${data.aws_region.current.name}.amazonaws.com"

  read_actions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
  ]

  # Exactly what setup, rotate, rollback, verify and history call (tags hold each version's expiry and label).
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
      Resource = aws_secretsmanager_secret.this.arn
    }],
    var.kms_key_arn == null ? [] : [{
      Sid       = "DecryptViaSecretsManager"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = local.kms_via_service } }
    }],
  )

  write_statements = concat(
    [{
      Sid      = "WriteDockerHubCredential"
      Effect   = "Allow"
      Action   = local.write_actions
      Resource = aws_secretsmanager_secret.this.arn
    }],
    var.kms_key_arn == null ? [] : [{
      Sid       = "EncryptViaSecretsManager"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = local.kms_via_service } }
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

resource "aws_iam_role_policy_attachment" "read" {
  for_each   = toset(var.reader_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_role_policy_attachment" "write" {
  for_each   = toset(var.writer_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.write.arn
}
