# The opt-in rotation block, offline with a mocked AWS provider (moto cannot run
# the rotation itself: its RotateSecret invokes Lambda in docker). The role's
# policy is asserted exactly: actions, resources, conditions, no wildcard.
# The package is the built zip, copied to tests/rotation-function.zip first
# (test/integration/terraform.test.ts copies dist/rotation-function.zip there).

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-2"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn      = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
      id       = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
      tags_all = { "dockerhub-credentials-consumers" = "as-written" }
    }
  }
  mock_data "aws_secretsmanager_secret" {
    defaults = {
      arn  = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123"
      tags = {}
    }
  }
  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/mocked"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/ci-dockerhub-rotation"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:eu-west-2:123456789012:function:ci-dockerhub-rotation"
    }
  }
}

variables {
  secret_name       = "ci/dockerhub"
  reader_role_names = ["ci-agent"]
  writer_role_names = ["platform-operator"]
}

run "mocked_no_rotation_resources_without_the_block" {
  command = apply

  assert {
    condition     = length(aws_lambda_function.rotation) == 0 && length(aws_iam_role.rotation) == 0 && length(aws_secretsmanager_secret_rotation.this) == 0 && length(aws_lambda_permission.rotation) == 0
    error_message = "Rotation is opt-in: nothing of it exists without the rotation block."
  }
  assert {
    condition     = length(jsondecode(aws_iam_policy.read.policy).Statement) == 1
    error_message = "Without rotation the read policy is unchanged."
  }
}

run "mocked_rotation_creates_the_function_from_the_package_and_the_schedule" {
  command = apply

  variables {
    rotation = {
      admin_secret_name = "ci/dockerhub-admin"
      repository        = "myorg/app"
      package_path      = "tests/rotation-function.zip"
    }
  }

  assert {
    condition     = aws_lambda_function.rotation[0].handler == "index.handler" && aws_lambda_function.rotation[0].runtime == "nodejs22.x"
    error_message = "The function runs the package's handler index.handler on Node.js 22."
  }
  assert {
    condition     = aws_lambda_function.rotation[0].filename == "tests/rotation-function.zip" && aws_lambda_function.rotation[0].source_code_hash == filebase64sha256("tests/rotation-function.zip")
    error_message = "The function is the zip npm run build writes, and a new build changes its hash."
  }
  assert {
    condition = aws_lambda_function.rotation[0].environment[0].variables == tomap({
      DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123"
      DOCKERHUB_CREDENTIALS_EXPIRES_IN      = "90d"
      DOCKERHUB_CREDENTIALS_HUB_URL         = "https://hub.docker.com"
      DOCKERHUB_CREDENTIALS_REGISTRY        = "https://registry-1.docker.io"
      DOCKERHUB_CREDENTIALS_REPOSITORY      = "myorg/app"
      DOCKERHUB_CREDENTIALS_STEP_TIMEOUT    = "110"
    })
    error_message = "The function is configured by its environment: the admin secret's ARN, the expiry policy, the push check."
  }
  assert {
    condition     = aws_secretsmanager_secret_rotation.this[0].rotation_rules[0].schedule_expression == "rate(90 days)" && aws_secretsmanager_secret_rotation.this[0].rotation_lambda_arn == "arn:aws:lambda:eu-west-2:123456789012:function:ci-dockerhub-rotation" && aws_secretsmanager_secret_rotation.this[0].rotate_immediately == false
    error_message = "The schedule is rate(90 days) by default, runs this function, and waits for the schedule."
  }
  assert {
    condition     = aws_lambda_permission.rotation[0].principal == "secretsmanager.amazonaws.com" && aws_lambda_permission.rotation[0].action == "lambda:InvokeFunction" && aws_lambda_permission.rotation[0].source_account == "123456789012" && aws_lambda_permission.rotation[0].source_arn == "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
    error_message = "Only Secrets Manager may invoke the function, for this secret in this account."
  }
  assert {
    condition     = jsondecode(aws_iam_role.rotation[0].assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "The role is assumed by Lambda only."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.rotation[0].policy).Statement == [
      {
        Sid      = "RotateThisSecretOnly"
        Effect   = "Allow"
        Action   = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]
        Resource = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
      },
      {
        Sid      = "RecordMetadataWithTheToolsKeysOnly"
        Effect   = "Allow"
        Action   = ["secretsmanager:TagResource"]
        Resource = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
        Condition = {
          "ForAllValues:StringLike" = { "aws:TagKeys" = ["dockerhub-credentials:*"] }
          Null                      = { "aws:TagKeys" = "false" }
        }
      },
      {
        Sid      = "ReadTheAdminSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123"
      },
      {
        Sid      = "WriteItsOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/lambda/ci-dockerhub-rotation:log-stream:*"
      },
    ]
    error_message = "The role gets least privilege: exactly these actions on exactly these resources."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.rotation[0].policy).Statement : alltrue([for a in s.Action : !strcontains(a, "*")]) && !contains(flatten([s.Resource]), "*")])
    error_message = "No action wildcard and no Resource \"*\" (the log-stream part of its own log group is the only pattern)."
  }
  assert {
    condition     = contains(jsondecode(aws_iam_policy.read.policy).Statement, { Sid = "NeverTheRotationAdminSecret", Effect = "Deny", Action = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], Resource = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123" })
    error_message = "The CI read policy denies the admin secret outright."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_policy.read.policy).Statement : s.Effect == "Deny" || !contains(flatten([s.Resource]), "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123")])
    error_message = "No statement of the read policy allows the admin secret."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_policy.write.policy).Statement : !contains(flatten([s.Resource]), "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123")])
    error_message = "The operators' write policy does not reach the admin secret either."
  }
  assert {
    condition     = output.rotation_function_arn == "arn:aws:lambda:eu-west-2:123456789012:function:ci-dockerhub-rotation"
    error_message = "The function's ARN is an output."
  }
}

run "mocked_rotation_with_customer_keys_conditions_kms_on_the_secret_arn" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"
    rotation = {
      admin_secret_name = "ci/dockerhub-admin"
      admin_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/9999ffff-8888-eeee-7777-dddd6666cccc"
      schedule          = "cron(0 4 1 * ? *)"
      expires_in        = "30d"
      package_path      = "tests/rotation-function.zip"
    }
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.rotation[0].policy).Statement : s if startswith(s.Action[0], "kms:")] == [
      {
        Sid      = "EncryptThisSecretViaSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = ["arn:aws:kms:eu-west-2:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"]
        Condition = { StringEquals = {
          "kms:ViaService"                  = "secretsmanager.eu-west-2.amazonaws.com"
          "kms:EncryptionContext:SecretARN" = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf"
        } }
      },
      {
        Sid      = "DecryptTheAdminSecretViaSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = "arn:aws:kms:eu-west-2:123456789012:key/9999ffff-8888-eeee-7777-dddd6666cccc"
        Condition = { StringEquals = {
          "kms:ViaService"                  = "secretsmanager.eu-west-2.amazonaws.com"
          "kms:EncryptionContext:SecretARN" = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-admin-XyZ123"
        } }
      },
    ]
    error_message = "KMS only with the kms:EncryptionContext:SecretARN condition: the rotated secret's key for writing, the admin secret's for reading."
  }
  assert {
    condition     = aws_secretsmanager_secret_rotation.this[0].rotation_rules[0].schedule_expression == "cron(0 4 1 * ? *)" && aws_lambda_function.rotation[0].environment[0].variables.DOCKERHUB_CREDENTIALS_EXPIRES_IN == "30d" && !contains(keys(aws_lambda_function.rotation[0].environment[0].variables), "DOCKERHUB_CREDENTIALS_REPOSITORY")
    error_message = "The schedule and expiry are the block's; without a repository, no push check is configured."
  }
}

run "mocked_rejects_the_rotated_secret_as_its_own_admin_secret" {
  command = plan

  variables {
    rotation = {
      admin_secret_name = "ci/dockerhub"
    }
  }
  expect_failures = [var.rotation]
}

run "mocked_rejects_an_unknown_expiry_and_a_bad_schedule" {
  command = plan

  variables {
    rotation = {
      admin_secret_name = "ci/dockerhub-admin"
      expires_in        = "45d"
      schedule          = "every 90 days"
    }
  }
  expect_failures = [var.rotation]
}
