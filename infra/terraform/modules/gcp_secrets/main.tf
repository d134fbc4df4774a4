# The platform's secrets in Secret Manager, one secret per key.
terraform {
  required_version = ">= 1.9"
  required_providers {
    google = { source = "hashicorp/google", version = ">= 6.8, < 7.0" }
  }
}

variable "prefix" {
  description = "Name prefix of the secrets (config module: names.prefix)."
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

resource "google_secret_manager_secret" "this" {
  for_each  = toset(var.keys)
  secret_id = "${var.prefix}-${each.key}"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "this" {
  for_each    = toset(var.keys)
  secret      = google_secret_manager_secret.this[each.key].id
  secret_data = var.values[each.key]
}

output "names" {
  description = "Each key's secret id."
  value       = { for k, s in google_secret_manager_secret.this : k => s.secret_id }
}
