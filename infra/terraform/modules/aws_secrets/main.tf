# The platform's secrets in AWS Secrets Manager, one secret per key, KMS-encrypted.
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.80, < 6.0" }
  }
}

variable "prefix" {
  description = "Name prefix of the secrets (config module: names.secrets_prefix)."
  type        = string
}

variable "keys" {
  description = "Keys of the secrets (config module: secret_keys)."
  type        = list(string)
}

variable "values" {
  description = "Each key's value."
  type        = map(string)
  sensitive   = true
}

resource "aws_kms_key" "secrets" {
  # checkov:skip=CKV2_AWS_64:the default key policy: the account owns the key and its IAM policies grant its use
  description         = "${var.prefix} secrets"
  enable_key_rotation = true
}

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57:generated passwords and keys are rotated by a new apply of the platform (taint the random_password), no rotation Lambda
  for_each                = toset(var.keys)
  name                    = "${var.prefix}${each.key}"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each      = toset(var.keys)
  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = var.values[each.key]
}

output "names" {
  description = "Each key's secret name."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}
