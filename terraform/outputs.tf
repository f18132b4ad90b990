output "secret_arn" {
  description = "ARN of the secret; CI agents read it with GetSecretValue."
  value       = aws_secretsmanager_secret.this.arn
}

output "secret_name" {
  description = "Name of the secret."
  value       = aws_secretsmanager_secret.this.name
}

output "read_policy_arn" {
  description = "ARN of the read policy (<secret name with / as ->-read) for CI agents."
  value       = aws_iam_policy.read.arn
}

output "write_policy_arn" {
  description = "ARN of the write policy (<secret name with / as ->-write) for operators."
  value       = aws_iam_policy.write.arn
}

output "setup_command" {
  description = "The command an operator runs next to store the token."
  value       = "npx dockerhub-credentials setup --secret-id ${aws_secretsmanager_secret.this.name} --region ${data.aws_region.current.name}${length(local.consumers) > 0 ? " --consumers ${join(",", local.consumers)}" : ""}"
}

output "replica_arns" {
  description = "ARNs of the replicas, also readable with the read policy."
  value       = local.replica_arns
}

output "ecr_pull_through_cache_prefix" {
  description = "Repository prefix of the Docker Hub pull-through cache rule, or null when none was created."
  value       = var.create_ecr_pull_through_cache_rule ? aws_ecr_pull_through_cache_rule.docker_hub[0].ecr_repository_prefix : null
}

output "read_policy_json" {
  description = "The read policy's JSON document, for an SSO permission set, an IAM user or group, or another account's role."
  value       = local.read_policy_json
}

output "write_policy_json" {
  description = "The write policy's JSON document, for an SSO permission set, an IAM user or group."
  value       = local.write_policy_json
}

output "pull_policy_arn" {
  description = "ARN of the pull policy (<secret name with / as ->-pull) for principals pulling through the ECR pull-through cache, or null when no rule was created."
  value       = var.create_ecr_pull_through_cache_rule ? aws_iam_policy.pull[0].arn : null
}

output "pull_policy_json" {
  description = "The pull policy's JSON document, or null when no rule was created."
  value       = var.create_ecr_pull_through_cache_rule ? local.pull_policy_json : null
}
