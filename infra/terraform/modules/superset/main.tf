# Superset on the official chart: the config module's values (superset_config.py, then the
# cloud's override), the secrets given as sensitive values, and a job that imports the stage
# explorer's assets from the Peloton package, with the password of Trino's `bi` user for its
# database (port 443: the Trino driver speaks HTTPS there).
terraform {
  required_version = ">= 1.9"
  required_providers {
    helm       = { source = "hashicorp/helm", version = ">= 2.17, < 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
  }
}

variable "namespace" {
  description = "Namespace of the release."
  type        = string
}

variable "chart_values" {
  description = "The chart's values (config module: superset_chart)."
  type        = any
}

variable "ingress_annotations" {
  description = "Annotations of the ingress (the certificate issuer)."
  type        = map(string)
}

variable "url" {
  description = "Superset's public URL (config module: superset_url)."
  type        = string
}

variable "trino_host" {
  description = "Trino's host as the dashboards' database connects to it."
  type        = string
}

variable "peloton_package" {
  description = "The Peloton requirement the import job installs (pip)."
  type        = string
}

variable "pip_index_url" {
  description = "Private package index the import job installs from; empty: PyPI."
  type        = string
}

variable "gifs_url" {
  description = "Public URL of the flyby exports server, which the dashboards' links point at."
  type        = string
}

variable "secrets" {
  description = "secret_key, admin_password, db_password and bi_password (Trino's), from the secret store."
  type        = map(string)
  sensitive   = true
}

resource "kubernetes_secret_v1" "environment" {
  metadata {
    name      = "superset-env"
    namespace = var.namespace
  }
  data = {
    PELOTON_SUPERSET__ADMIN_PASSWORD = var.secrets["admin_password"]
    TRINO_BI_PASSWORD                = var.secrets["bi_password"]
  }
}

resource "helm_release" "superset" {
  name       = "superset"
  repository = "https://apache.github.io/superset"
  chart      = "superset"
  version    = "0.15.0"
  namespace  = var.namespace
  timeout    = 900
  values = [yamlencode(merge(var.chart_values, {
    ingress = merge(var.chart_values.ingress, { annotations = var.ingress_annotations })
  }))]
  set_sensitive {
    name  = "supersetNode.connections.db_pass"
    value = var.secrets["db_password"]
  }
  set_sensitive {
    name  = "init.adminUser.password"
    value = var.secrets["admin_password"]
  }
  set_sensitive {
    name  = "extraSecretEnv.SUPERSET_SECRET_KEY"
    value = var.secrets["secret_key"]
  }
  depends_on = [kubernetes_secret_v1.environment]
}

locals {
  # `peloton superset import`, with the database's password given to Superset's import
  import_assets = <<-PY
    import json, os
    from lakehouse.settings import get_settings
    from lakehouse.superset.api import SupersetApi
    from lakehouse.superset.assets import bundle
    settings = get_settings()
    api = SupersetApi(settings)
    passwords = {"databases/peloton_trino.yaml": os.environ["TRINO_BI_PASSWORD"]}
    try:
        api.call(
            "POST",
            "/api/v1/assets/import/",
            files={"bundle": ("peloton.zip", bundle(settings), "application/zip")},
            data={"passwords": json.dumps(passwords), "overwrite": "true"},
        )
    finally:
        api.close()
    print("the stage explorer's assets imported")
  PY
}

resource "kubernetes_job_v1" "import_assets" {
  metadata {
    name      = "superset-import-assets"
    namespace = var.namespace
  }
  spec {
    backoff_limit = 3
    template {
      metadata {}
      spec {
        restart_policy = "Never"
        container {
          name    = "import"
          image   = "python:3.12-slim"
          command = ["sh", "-c", "pip install --quiet \"$PELOTON_PACKAGE\" && python -c \"$IMPORT_ASSETS\""]
          env {
            name  = "IMPORT_ASSETS"
            value = local.import_assets
          }
          env {
            name  = "PELOTON_PACKAGE"
            value = var.peloton_package
          }
          env {
            name  = "PELOTON_SUPERSET__URL"
            value = var.url
          }
          env {
            name  = "PELOTON_TRINO__HOST"
            value = var.trino_host
          }
          env {
            name  = "PELOTON_TRINO__PORT"
            value = "443"
          }
          env {
            name  = "PELOTON_GIFS__PUBLIC_URL"
            value = var.gifs_url
          }
          dynamic "env" {
            for_each = var.pip_index_url == "" ? {} : { PIP_INDEX_URL = var.pip_index_url }
            content {
              name  = env.key
              value = env.value
            }
          }
          env_from {
            secret_ref {
              name = kubernetes_secret_v1.environment.metadata[0].name
            }
          }
        }
      }
    }
  }
  wait_for_completion = true
  timeouts {
    create = "10m"
  }
  depends_on = [helm_release.superset]
}
