# The platform's generated secrets: PostgreSQL and Trino passwords, Trino's shared secret,
# Superset's keys, and Trino's bcrypt password file; the secret-store modules keep them.
terraform {
  required_version = ">= 1.9"
  required_providers {
    random = { source = "hashicorp/random", version = ">= 3.6, < 4.0" }
  }
}

variable "keys" {
  description = "Every secret key (config module: secret_keys)."
  type        = list(string)
}

variable "trino_users" {
  description = "Trino's users (config module: trino_users), each with a trino-<user>-password key."
  type        = list(string)
}

variable "given" {
  description = "Secrets made elsewhere (the storage keys), by key."
  type        = map(string)
  sensitive   = true
}

locals {
  generated = [for k in var.keys : k if !contains(keys(var.given), k) && k != "trino-password-file"]
}

resource "random_password" "this" {
  for_each = toset(local.generated)
  length   = 40
  special  = false
}

output "values" {
  description = "Every key's value."
  sensitive   = true
  value = merge(
    { for k in local.generated : k => random_password.this[k].result },
    var.given,
    {
      "trino-password-file" = join("\n", [
        for u in var.trino_users : "${u}:${random_password.this["trino-${u}-password"].bcrypt_hash}"
      ])
    },
  )
}
