# The flyby exports server (`peloton gif serve`): the gallery and the GIFs the dashboards link
# to, behind the ingress over TLS. It answers a GIF with a redirect to a presigned URL of the
# private bucket (PELOTON_GIFS__LINK_EXPIRY_S), signed with the storage keys of the settings
# secret; it reads marts.gif_exports through the catalog of the same secret.
terraform {
  required_version = ">= 1.9"
  required_providers {
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
  }
}

variable "namespace" {
  description = "Namespace of the server."
  type        = string
}

variable "hostname" {
  description = "Public host name of the server (TLS at the ingress)."
  type        = string
}

variable "ingress_annotations" {
  description = "Annotations of the ingress (the certificate issuer)."
  type        = map(string)
}

variable "settings_secret" {
  description = "Name of the settings secret the server reads its PELOTON_* variables from."
  type        = string
}

variable "peloton_package" {
  description = "The Peloton requirement the server installs (pip) when it starts."
  type        = string
}

variable "pip_index_url" {
  description = "Private package index pip installs from; empty: PyPI."
  type        = string
}

locals {
  port   = 8097
  labels = { app = "peloton-gifs" }
  env = { for k, v in {
    PIP_INDEX_URL            = var.pip_index_url
    PELOTON_PACKAGE          = var.peloton_package
    PELOTON_GIFS__HOST       = "0.0.0.0"
    PELOTON_GIFS__PORT       = tostring(local.port)
    PELOTON_GIFS__PUBLIC_URL = "https://${var.hostname}"
  } : k => v if v != "" }
}

resource "kubernetes_deployment_v1" "gifs" {
  # checkov:skip=CKV_K8S_43:python:3.12-slim by tag, as every job here: the server is the Peloton wheel pip installs at start
  # checkov:skip=CKV_K8S_35:Peloton reads its settings from PELOTON_* variables only (lakehouse/settings.py)
  # checkov:skip=CKV_K8S_22:pip installs the wheel into the image's site-packages when the container starts
  metadata {
    name      = "peloton-gifs"
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    replicas = 1
    selector {
      match_labels = local.labels
    }
    template {
      metadata {
        labels = local.labels
      }
      spec {
        automount_service_account_token = false
        container {
          name              = "gifs"
          image             = "python:3.12-slim"
          image_pull_policy = "Always"
          command           = ["sh", "-c", "pip install --quiet \"$PELOTON_PACKAGE\" && exec peloton gif serve"]
          port {
            container_port = local.port
          }
          dynamic "env" {
            for_each = local.env
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
          resources {
            requests = { cpu = "100m", memory = "256Mi" }
            limits   = { cpu = "1", memory = "1Gi" }
          }
          readiness_probe {
            http_get {
              path = "/"
              port = local.port
            }
            initial_delay_seconds = 20
            period_seconds        = 10
          }
          liveness_probe {
            http_get {
              path = "/"
              port = local.port
            }
            initial_delay_seconds = 120
            period_seconds        = 30
          }
          security_context {
            allow_privilege_escalation = false
            capabilities {
              drop = ["ALL"]
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "gifs" {
  metadata {
    name      = "peloton-gifs"
    namespace = var.namespace
  }
  spec {
    selector = local.labels
    port {
      port        = local.port
      target_port = local.port
    }
  }
}

resource "kubernetes_ingress_v1" "gifs" {
  metadata {
    name        = "peloton-gifs"
    namespace   = var.namespace
    annotations = var.ingress_annotations
  }
  spec {
    ingress_class_name = "nginx"
    tls {
      hosts       = [var.hostname]
      secret_name = "gifs-tls"
    }
    rule {
      host = var.hostname
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = kubernetes_service_v1.gifs.metadata[0].name
              port {
                number = local.port
              }
            }
          }
        }
      }
    }
  }
}

output "url" {
  description = "The server's public URL."
  value       = "https://${var.hostname}"
}
