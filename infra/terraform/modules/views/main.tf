# Trino's views: a job that runs `peloton trino init` as `etl` over HTTPS once Trino is up, with
# the settings every flow run reads. Its name carries the hash of trino/views and the package:
# an added or changed view (or a new release) replaces the job, which creates them again.
terraform {
  required_version = ">= 1.9"
  required_providers {
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
  }
}

variable "namespace" {
  description = "Namespace of the job."
  type        = string
}

variable "views_hash" {
  description = "Hash of the view files (config module: views.hash)."
  type        = string
}

variable "settings_secret" {
  description = "Name of the settings secret the job reads its PELOTON_* variables from (etl's Trino password among them)."
  type        = string
}

variable "peloton_package" {
  description = "The Peloton requirement the job installs (pip)."
  type        = string
}

variable "pip_index_url" {
  description = "Private package index pip installs from; empty: PyPI."
  type        = string
}

locals {
  pip_env = { for k, v in { PIP_INDEX_URL = var.pip_index_url, PELOTON_PACKAGE = var.peloton_package } : k => v if v != "" }
}

resource "kubernetes_job_v1" "views" {
  metadata {
    name      = "trino-views-${substr(sha256("${var.views_hash} ${var.peloton_package}"), 0, 12)}"
    namespace = var.namespace
  }
  spec {
    backoff_limit = 4
    template {
      metadata {}
      spec {
        restart_policy = "Never"
        container {
          name    = "views"
          image   = "python:3.12-slim"
          command = ["sh", "-c", "pip install --quiet \"$PELOTON_PACKAGE\" && peloton trino init"]
          dynamic "env" {
            for_each = local.pip_env
            content {
              name  = env.key
              value = env.value
            }
          }
          env_from {
            secret_ref {
              name = var.settings_secret
            }
          }
        }
      }
    }
  }
  wait_for_completion = true
  timeouts {
    create = "15m"
  }
}
