# The secret and who may use it. The value is never managed here, so it never
# reaches Terraform state: dockerhub-credentials writes it.

data "aws_region" "current" {}

locals {
  # IAM policy names allow [A-Za-z0-9+=,.@_-]; the secret name's slashes become dashes.
  policy_prefix     = replace(var.secret_name, "/", "-")
  read_policy_name  = "${local.policy_prefix}-read"
  write_policy_name = "${local.policy_prefix}-write"
  pull_policy_name  = "${local.policy_prefix}-pull"
  region            = data.aws_region.current.name
  # arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX
  partition = split(":", aws_secretsmanager_secret.this.arn)[1]
  account   = split(":", aws_secretsmanager_secret.this.arn)[4]

  # A replica's ARN is the primary's with its own region (same account, name and suffix).
  replica_arns = [for r in var.replica_regions : replace(aws_secretsmanager_secret.this.arn, ":${local.region}:", ":${r}:")]
  # Readers may read the primary and every replica (ECS and CodeBuild in a replica's region read the local copy).
  readable_arns     = concat([aws_secretsmanager_secret.this.arn], local.replica_arns)
  read_via_services = [for r in concat([local.region], var.replica_regions) : "secretsmanager.${r}.amazonaws.com"]
  # The customer keys readers decrypt with: the primary's and each replica's (a KMS key is regional).
  read_kms_key_arns = compact(concat([var.kms_key_arn], [for r in var.replica_regions : lookup(var.replica_kms_key_arns, r, "")]))

  # Who reads the secret, for setup's --consumers (the keys each one needs are written by the CLI).
  consumers = concat(
    length(var.ecs_task_execution_role_names) > 0 ? ["ecs"] : [],
    length(var.codebuild_service_role_names) > 0 ? ["codebuild"] : [],
    var.create_ecr_pull_through_cache_rule ? ["ecr-pull-through-cache"] : [],
  )
  # The same list as a tag on the secret, which the CLI reads as the declared consumers when none is
  # given (src/flows/consumers.ts). Tag values allow no comma, so the names are separated by spaces.
  # The key is outside the "dockerhub-credentials:" prefix the provider is told to ignore (README,
  # "Tags written by the CLI"), and outside the write policy's tag keys: Terraform owns it.
  consumers_tag_key = "dockerhub-credentials-consumers"
  secret_tags       = merge(var.tags, length(local.consumers) > 0 ? { (local.consumers_tag_key) = join(" ", local.consumers) } : {})
  # The tags dockerhub-credentials writes (each version's expiry and label): dockerhub-credentials:version:<id>.
  tool_tag_prefix = "dockerhub-credentials:"

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
    "secretsmanager:UpdateSecretVersionStage",
  ]
  tag_actions = [
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
  ]

  read_statements = concat(
    [{
      Sid      = "ReadDockerHubCredential"
      Effect   = "Allow"
      Action   = local.read_actions
      Resource = local.readable_arns
    }],
    # The keys decrypt only this secret (and its replicas), and only through Secrets Manager.
    length(local.read_kms_key_arns) == 0 ? [] : [{
      Sid      = "DecryptViaSecretsManager"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = local.read_kms_key_arns
      Condition = { StringEquals = {
        "kms:ViaService"                  = local.read_via_services
        "kms:EncryptionContext:SecretARN" = local.readable_arns
      } }
    }],
    # With scheduled rotation: CI can never read the admin credential, even if another policy grants it.
    local.rotation_enabled ? [{
      Sid      = "NeverTheRotationAdminSecret"
      Effect   = "Deny"
      Action   = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
      Resource = local.admin_secret_arn
    }] : [],
  )

  write_statements = concat(
    [{
      Sid      = "WriteDockerHubCredential"
      Effect   = "Allow"
      Action   = local.write_actions
      Resource = aws_secretsmanager_secret.this.arn
    }],
    # Only the tool's own tag keys: an operator cannot retag the secret (an owner or cost tag,
    # or a tag an attribute-based policy reads) through this policy.
    [{
      Sid      = "TagWithTheToolsKeysOnly"
      Effect   = "Allow"
      Action   = local.tag_actions
      Resource = aws_secretsmanager_secret.this.arn
      Condition = {
        "ForAllValues:StringLike" = { "aws:TagKeys" = ["${local.tool_tag_prefix}*"] }
        # ForAllValues holds for a request with no tag keys at all; require keys.
        Null = { "aws:TagKeys" = "false" }
      }
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

  # Principals that pull through the cache: the first pull of an image creates its repository
  # and imports it from Docker Hub (ecr:CreateRepository, ecr:BatchImportUpstreamImage); every
  # pull reads layers. Scoped to the rule's prefix; only GetAuthorizationToken takes no resource.
  pull_repositories = "arn:${local.partition}:ecr:${local.region}:${local.account}:repository/${var.ecr_repository_prefix}/*"
  pull_statements = [
    {
      Sid      = "PullThroughCacheFromDockerHub"
      Effect   = "Allow"
      Action   = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
      Resource = local.pull_repositories
    },
    {
      Sid      = "PullCachedImages"
      Effect   = "Allow"
      Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = local.pull_repositories
    },
    {
      Sid      = "LogInToEcr"
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = "*"
    },
  ]
  # ECR reads the secret as its service-linked role (REFERENCE 6; AWS's page on that role).
  ecr_service_role_arn = "arn:${local.partition}:iam::${local.account}:role/aws-service-role/pullthroughcache.ecr.amazonaws.com/AWSServiceRoleForECRPullThroughCache"

  read_policy_json  = jsonencode({ Version = "2012-10-17", Statement = local.read_statements })
  write_policy_json = jsonencode({ Version = "2012-10-17", Statement = local.write_statements })
  pull_policy_json  = jsonencode({ Version = "2012-10-17", Statement = local.pull_statements })
}

resource "aws_secretsmanager_secret" "this" {
  name                    = var.secret_name
  description             = var.description
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = local.secret_tags

  dynamic "replica" {
    for_each = toset(var.replica_regions)
    content {
      region = replica.value
      # Without a key of its own a replica uses aws/secretsmanager, whatever the primary uses.
      kms_key_id = lookup(var.replica_kms_key_arns, replica.value, null)
    }
  }

  lifecycle {
    # The consumers tag must reach AWS and stay: an ignore_tags broader than the tool's prefix hides it.
    postcondition {
      condition     = !contains(keys(local.secret_tags), local.consumers_tag_key) || contains(keys(self.tags_all), local.consumers_tag_key)
      error_message = "The AWS provider's ignore_tags hides the tag ${local.consumers_tag_key}, which records who reads the secret for dockerhub-credentials: ignore only the prefix \"${local.tool_tag_prefix}\" (ignore_tags { key_prefixes = [\"${local.tool_tag_prefix}\"] })."
    }
  }
}

# A provider without ignore_tags for the tool's keys removes them on the next apply: every token
# version's expiry and label, so verify can no longer warn before the token expires. The secret is
# read back by name, as the provider shows it (its ignore_tags applied): if the tool's tags are
# visible, this plan removes them. By name, not from the resource, so that the read happens while
# planning even when the plan changes the secret. A check block warns and cannot block the apply:
# the resource cannot wait for a read of itself. Before the secret exists, the read fails and the
# plan shows that as a warning of this check ("couldn't find resource").
check "tool_tags_survive_apply" {
  data "aws_secretsmanager_secret" "live" {
    name = var.secret_name
  }

  assert {
    condition     = length([for k in keys(data.aws_secretsmanager_secret.live.tags) : k if startswith(k, local.tool_tag_prefix)]) == 0
    error_message = "The secret ${var.secret_name} holds tags that dockerhub-credentials wrote (${local.tool_tag_prefix}version:...), and this AWS provider does not ignore them, so this apply removes every token version's expiry and label. Do not apply: add to the provider block ignore_tags { key_prefixes = [\"${local.tool_tag_prefix}\"] }, then plan again."
  }
}

# Readers in other accounts (their roles still need the read policy's actions in their own account).
resource "aws_secretsmanager_secret_policy" "this" {
  count               = var.resource_policy == null ? 0 : 1
  secret_arn          = aws_secretsmanager_secret.this.arn
  policy              = var.resource_policy
  block_public_policy = true
}

resource "aws_iam_policy" "read" {
  name        = local.read_policy_name
  description = "Read the Docker Hub credential in ${var.secret_name} (CI agents)."
  policy      = local.read_policy_json
  tags        = var.tags
}

resource "aws_iam_policy" "write" {
  name        = local.write_policy_name
  description = "Write, rotate and roll back the Docker Hub credential in ${var.secret_name} (operators running dockerhub-credentials)."
  policy      = local.write_policy_json
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

resource "aws_iam_policy" "pull" {
  count       = var.create_ecr_pull_through_cache_rule ? 1 : 0
  name        = local.pull_policy_name
  description = "Pull Docker Hub images through the ECR pull-through cache ${var.ecr_repository_prefix}/ (first pulls create and import them)."
  policy      = local.pull_policy_json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "pull" {
  for_each   = toset(var.pull_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.pull[0].arn
}

# With a customer key, ECR's service-linked role must be allowed to decrypt the secret; its
# AWS-managed policy has no KMS action, so the grant lives on the key: here a KMS grant, limited
# to this secret's encryption context (the module does not own the key policy). The role exists
# once the first pull-through cache rule of the account is created.
resource "aws_kms_grant" "ecr_pull_through_cache" {
  count             = var.create_ecr_pull_through_cache_rule && var.kms_key_arn != null ? 1 : 0
  name              = "${replace(local.policy_prefix, "/[^A-Za-z0-9:/_-]/", "-")}-ecr-pull-through-cache"
  key_id            = var.kms_key_arn
  grantee_principal = local.ecr_service_role_arn
  operations        = ["Decrypt"]
  constraints {
    encryption_context_subset = { SecretARN = aws_secretsmanager_secret.this.arn }
  }
  depends_on = [aws_ecr_pull_through_cache_rule.docker_hub]
}
