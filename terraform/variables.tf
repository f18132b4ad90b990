variable "secret_name" {
  description = "Name of the Secrets Manager secret that holds the Docker Hub credential as {\"username\",\"token\"}."
  type        = string
  default     = "ci/dockerhub"

  validation {
    condition     = length(var.secret_name) >= 1 && length(var.secret_name) <= 512 && can(regex("^[A-Za-z0-9/_+=.@-]+$", var.secret_name))
    error_message = "secret_name must be 1 to 512 characters of letters, digits and /_+=.@-."
  }
}

variable "description" {
  description = "Description of the secret, shown in the AWS console."
  type        = string
  default     = "Docker Hub access token for CI, as {\"username\",\"token\"}. Written by dockerhub-credentials; never by Terraform."

  validation {
    condition     = length(var.description) <= 2048
    error_message = "description must be at most 2048 characters."
  }
}

variable "kms_key_arn" {
  description = "Optional customer-managed KMS key ARN for the secret. Null uses the AWS-managed key aws/secretsmanager."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can be restored: 0 deletes at once, otherwise 7 to 30."
  type        = number
  default     = 7

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "reader_role_names" {
  description = "IAM role names of CI agents that may read the secret (GetSecretValue and DescribeSecret)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.reader_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "reader_role_names must be IAM role names (not ARNs)."
  }
}

variable "writer_role_names" {
  description = "IAM role names of operators who run dockerhub-credentials setup, rotate and rollback."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.writer_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "writer_role_names must be IAM role names (not ARNs)."
  }
}

variable "replica_regions" {
  description = "Optional regions to replicate the secret to."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.replica_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r))])
    error_message = "replica_regions must be AWS region names such as eu-west-1."
  }
}

variable "replica_kms_key_arns" {
  description = "Customer-managed KMS key per replica region (region => key ARN in that region). A replica without one uses aws/secretsmanager. Required for every replica when kms_key_arn is set."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for r, k in var.replica_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:${r}:[0-9]{12}:key/.+$", k))])
    error_message = "replica_kms_key_arns must map each region to a KMS key ARN in that region (a KMS key is regional), for example { \"eu-west-1\" = \"arn:aws:kms:eu-west-1:123456789012:key/...\" }."
  }
  validation {
    condition     = alltrue([for r in keys(var.replica_kms_key_arns) : contains(var.replica_regions, r)])
    error_message = "replica_kms_key_arns names a region that is not in replica_regions: ${join(", ", [for r in keys(var.replica_kms_key_arns) : r if !contains(var.replica_regions, r)])}."
  }
  validation {
    condition     = var.kms_key_arn == null || alltrue([for r in var.replica_regions : contains(keys(var.replica_kms_key_arns), r)])
    error_message = "With kms_key_arn set, each replica needs a key of its own in replica_kms_key_arns, or it is encrypted with aws/secretsmanager instead: missing for ${join(", ", [for r in var.replica_regions : r if !contains(keys(var.replica_kms_key_arns), r)])}."
  }
}

variable "resource_policy" {
  description = "Optional resource policy (JSON) for the secret, to let principals in other accounts read it. Requires kms_key_arn: the AWS-managed key cannot be used across accounts."
  type        = string
  default     = null

  validation {
    condition     = var.resource_policy == null || can(jsondecode(var.resource_policy).Statement)
    error_message = "resource_policy must be a JSON policy document with a Statement (for example from jsonencode or data.aws_iam_policy_document.json)."
  }
  validation {
    condition     = var.resource_policy == null || var.kms_key_arn != null
    error_message = "A resource policy lets other accounts read the secret, but they cannot decrypt it with the AWS-managed key aws/secretsmanager: set kms_key_arn to a customer-managed key whose key policy allows those accounts kms:Decrypt via Secrets Manager."
  }
}

variable "ecs_task_execution_role_names" {
  description = "IAM role names of ECS task execution roles (and AWS Batch jobs) that pull images with repositoryCredentials; they get the read policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.ecs_task_execution_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "ecs_task_execution_role_names must be IAM role names (not ARNs)."
  }
}

variable "codebuild_service_role_names" {
  description = "IAM role names of CodeBuild service roles whose projects pull with registryCredential; they get the read policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.codebuild_service_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "codebuild_service_role_names must be IAM role names (not ARNs)."
  }
}

variable "create_ecr_pull_through_cache_rule" {
  description = "Create an ECR pull-through cache rule for Docker Hub (registry-1.docker.io) that uses this secret. ECR requires the secret's name to start with ecr-pullthroughcache/."
  type        = bool
  default     = false

  validation {
    condition     = !var.create_ecr_pull_through_cache_rule || startswith(var.secret_name, "ecr-pullthroughcache/")
    error_message = "An ECR pull-through cache accepts only a secret whose name starts with ecr-pullthroughcache/: set secret_name = \"ecr-pullthroughcache/<name>\" (for example ecr-pullthroughcache/dockerhub)."
  }
}

variable "ecr_repository_prefix" {
  description = "Repository prefix of the ECR pull-through cache rule: images are pulled as <account>.dkr.ecr.<region>.amazonaws.com/<prefix>/library/alpine."
  type        = string
  default     = "docker-hub"

  validation {
    condition     = length(var.ecr_repository_prefix) >= 2 && length(var.ecr_repository_prefix) <= 30 && can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.ecr_repository_prefix))
    error_message = "ecr_repository_prefix must be 2 to 30 lowercase letters, digits and ._-/ (for example docker-hub)."
  }
}

variable "pull_role_names" {
  description = "IAM role names of principals that pull Docker Hub images through the ECR pull-through cache (ECS task execution roles, EKS nodes, CI agents); they get the pull policy. Needs create_ecr_pull_through_cache_rule."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.pull_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "pull_role_names must be IAM role names (not ARNs)."
  }
  validation {
    condition     = length(var.pull_role_names) == 0 || var.create_ecr_pull_through_cache_rule
    error_message = "pull_role_names get the policy for pulling through the ECR pull-through cache: set create_ecr_pull_through_cache_rule = true as well."
  }
}

variable "tags" {
  description = "Tags for the secret and the policies."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "dockerhub-credentials")])
    error_message = "Tag keys starting with dockerhub-credentials are the tool's and the module's own (each version's expiry and label, the consumers): use another key."
  }
}
