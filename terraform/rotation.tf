# Opt-in scheduled rotation (README "Scheduled rotation"; REFERENCE 10): Secrets
# Manager runs the package's rotation function (dist/rotation-function.zip,
# handler index.handler) on a schedule. The function signs in to Docker Hub with
# the admin credential kept in a separate secret, which only its role can read.

variable "rotation" {
  description = "Opt-in: rotate the token on a schedule with the package's rotation function. admin_secret_name names the separate secret holding {\"username\",\"password\"} (and \"totpSeed\" for two-factor accounts) of an account that may create the tokens; repository is the push check."
  type = object({
    admin_secret_name = string
    repository        = optional(string)
    schedule          = optional(string, "rate(90 days)")
    expires_in        = optional(string, "90d")
    # The built package; the default is the one `npm run build` writes next to this module.
    package_path       = optional(string)
    rotate_immediately = optional(bool, false)
    # A customer key of the admin secret, if it has one (the rotated secret's is kms_key_arn).
    admin_kms_key_arn  = optional(string)
    hub_url            = optional(string, "https://hub.docker.com")
    registry           = optional(string, "https://registry-1.docker.io")
    timeout_seconds    = optional(number, 120)
    log_retention_days = optional(number, 90)
  })
  default = null

  validation {
    condition     = var.rotation == null ? true : can(regex("^(rate\\([1-9][0-9]* (days?|hours?)\\)|cron\\(.+\\))$", var.rotation.schedule))
    error_message = "rotation.schedule must be rate(N days), rate(N hours) (at least 4) or cron(...), in UTC."
  }
  validation {
    condition     = var.rotation == null ? true : contains(["30d", "90d", "365d", "never"], var.rotation.expires_in)
    error_message = "rotation.expires_in must be 30d, 90d, 365d or never, as --expires-in takes it."
  }
  validation {
    condition     = var.rotation == null ? true : (var.rotation.repository == null ? true : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*/[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.rotation.repository)))
    error_message = "rotation.repository must be namespace/name in lowercase, for example myorg/myapp."
  }
  validation {
    condition     = var.rotation == null ? true : var.rotation.admin_secret_name != var.secret_name
    error_message = "rotation.admin_secret_name must name a separate secret: the admin password never sits beside the token CI reads."
  }
  validation {
    condition     = var.rotation == null ? true : (var.rotation.admin_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.rotation.admin_kms_key_arn)))
    error_message = "rotation.admin_kms_key_arn must be a KMS key ARN or null."
  }
}

locals {
  rotation_enabled  = var.rotation != null
  rotation_name     = "${substr(local.policy_prefix, 0, 45)}-rotation"
  rotation_log_arn  = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.rotation_name}"
  rotation_package  = local.rotation_enabled ? coalesce(var.rotation.package_path, "${path.module}/../dist/rotation-function.zip") : null
  admin_secret_arn  = local.rotation_enabled ? data.aws_secretsmanager_secret.admin[0].arn : null
  rotation_kms_keys = local.rotation_enabled ? compact([var.kms_key_arn]) : []

  # Exactly what src/rotation/steps.ts calls on the rotated secret (DescribeSecret, GetSecretValue,
  # PutSecretValue, UpdateSecretVersionStage; TagResource for each version's metadata).
  rotation_secret_actions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
  ]
  # Built whether or not rotation is on (a conditional cannot pick between tuples of two lengths), kept only when it is.
  rotation_statements = [for s in concat(
    [
      {
        Sid      = "RotateThisSecretOnly"
        Effect   = "Allow"
        Action   = local.rotation_secret_actions
        Resource = aws_secretsmanager_secret.this.arn
      },
      {
        Sid      = "RecordMetadataWithTheToolsKeysOnly"
        Effect   = "Allow"
        Action   = ["secretsmanager:TagResource"]
        Resource = aws_secretsmanager_secret.this.arn
        Condition = {
          "ForAllValues:StringLike" = { "aws:TagKeys" = ["${local.tool_tag_prefix}*"] }
          Null                      = { "aws:TagKeys" = "false" }
        }
      },
      {
        Sid      = "ReadTheAdminSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = local.admin_secret_arn
      },
      {
        # Lambda names its log streams itself: the stream part of this one log group is the only pattern.
        Sid      = "WriteItsOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.rotation_log_arn}:log-stream:*"
      },
    ],
    length(local.rotation_kms_keys) == 0 ? [] : [{
      Sid      = "EncryptThisSecretViaSecretsManager"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = local.rotation_kms_keys
      Condition = { StringEquals = {
        "kms:ViaService"                  = "secretsmanager.${local.region}.amazonaws.com"
        "kms:EncryptionContext:SecretARN" = aws_secretsmanager_secret.this.arn
      } }
    }],
    try(var.rotation.admin_kms_key_arn, null) == null ? [] : [{
      Sid      = "DecryptTheAdminSecretViaSecretsManager"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = var.rotation.admin_kms_key_arn
      Condition = { StringEquals = {
        "kms:ViaService"                  = "secretsmanager.${local.region}.amazonaws.com"
        "kms:EncryptionContext:SecretARN" = local.admin_secret_arn
      } }
    }],
  ) : s if local.rotation_enabled]
  rotation_policy_json = jsonencode({ Version = "2012-10-17", Statement = local.rotation_statements })
}

# By name, so its ARN (with AWS's random suffix) scopes the role exactly; the secret must exist first.
data "aws_secretsmanager_secret" "admin" {
  count = local.rotation_enabled ? 1 : 0
  name  = var.rotation.admin_secret_name
}

resource "aws_iam_role" "rotation" {
  count = local.rotation_enabled ? 1 : 0
  name  = local.rotation_name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "rotation" {
  count  = local.rotation_enabled ? 1 : 0
  name   = "rotate-${local.policy_prefix}"
  role   = aws_iam_role.rotation[0].id
  policy = local.rotation_policy_json
}

resource "aws_cloudwatch_log_group" "rotation" {
  count             = local.rotation_enabled ? 1 : 0
  name              = "/aws/lambda/${local.rotation_name}"
  retention_in_days = var.rotation.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "rotation" {
  count            = local.rotation_enabled ? 1 : 0
  function_name    = local.rotation_name
  description      = "Rotates the Docker Hub token in ${var.secret_name} (dockerhub-credentials)."
  filename         = local.rotation_package
  source_code_hash = filebase64sha256(local.rotation_package)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  role             = aws_iam_role.rotation[0].arn
  timeout          = var.rotation.timeout_seconds
  memory_size      = 256
  environment {
    variables = merge(
      {
        DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID = local.admin_secret_arn
        DOCKERHUB_CREDENTIALS_EXPIRES_IN      = var.rotation.expires_in
        DOCKERHUB_CREDENTIALS_HUB_URL         = var.rotation.hub_url
        DOCKERHUB_CREDENTIALS_REGISTRY        = var.rotation.registry
        # The steps end before the function's own timeout does.
        DOCKERHUB_CREDENTIALS_STEP_TIMEOUT = tostring(max(5, var.rotation.timeout_seconds - 10))
      },
      var.rotation.repository == null ? {} : { DOCKERHUB_CREDENTIALS_REPOSITORY = var.rotation.repository },
    )
  }
  tags       = var.tags
  depends_on = [aws_iam_role_policy.rotation, aws_cloudwatch_log_group.rotation]
}

# Only Secrets Manager, for this secret in this account, may invoke the function.
resource "aws_lambda_permission" "rotation" {
  count          = local.rotation_enabled ? 1 : 0
  statement_id   = "SecretsManagerRotatesThisSecret"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.rotation[0].function_name
  principal      = "secretsmanager.amazonaws.com"
  source_account = local.account
  source_arn     = aws_secretsmanager_secret.this.arn
}

resource "aws_secretsmanager_secret_rotation" "this" {
  count               = local.rotation_enabled ? 1 : 0
  secret_id           = aws_secretsmanager_secret.this.id
  rotation_lambda_arn = aws_lambda_function.rotation[0].arn
  # false: the first rotation waits for the schedule (the secret may hold no token yet).
  rotate_immediately = var.rotation.rotate_immediately
  rotation_rules {
    schedule_expression = var.rotation.schedule
  }
  depends_on = [aws_lambda_permission.rotation]
}

output "rotation_function_arn" {
  description = "ARN of the rotation function (null without the rotation block)."
  value       = local.rotation_enabled ? aws_lambda_function.rotation[0].arn : null
}

output "rotation_role_arn" {
  description = "ARN of the rotation function's role (null without the rotation block)."
  value       = local.rotation_enabled ? aws_iam_role.rotation[0].arn : null
}
