# Who holds the read policy. One attachment per role: a role named in
# reader_role_names and in a consumer list (say a CI agent that also runs ECS
# tasks) gets the read policy once, so taking it out of one list never detaches
# the policy the other list still asks for.

locals {
  read_role_names = toset(concat(var.reader_role_names, var.ecs_task_execution_role_names, var.codebuild_service_role_names))
}

resource "aws_iam_role_policy_attachment" "read" {
  for_each   = local.read_role_names
  role       = each.value
  policy_arn = aws_iam_policy.read.arn
}

# Earlier versions attached the read policy to the consumer roles a second time,
# as aws_iam_role_policy_attachment.consumers. Terraform forgets those instances
# without detaching anything: each role is now in "read" above, whose create is
# an AttachRolePolicy, which IAM accepts for a policy already attached: it keeps
# one attachment per role and policy (the migration test shows it on moto; not
# checked against AWS itself). A moved block cannot do it: the keys are role
# names, known only to the caller, and a role in both lists would need two
# instances moved onto one.
removed {
  from = aws_iam_role_policy_attachment.consumers

  lifecycle {
    destroy = false
  }
}
