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
