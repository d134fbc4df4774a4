# Trino on the official chart: the values computed by the config module (catalogs and rules
# rendered from trino/), the secrets its catalogs and nodes read from the environment, and the
# bcrypt password file of etl, bi and bot.
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
  description = "The chart's values (config module: trino_chart)."
  type        = any
}

variable "secret_name" {
  description = "Name of the environment secret the chart's envFrom reads (config module: names.trino_secret)."
  type        = string
}

variable "ingress_annotations" {
  description = "Annotations of the ingress (the certificate issuer)."
  type        = map(string)
}

variable "secrets" {
  description = "catalog_password, source_password, s3_access_key, s3_secret_key, shared_secret and password_file, from the secret store."
  type        = map(string)
  sensitive   = true
}

resource "kubernetes_secret_v1" "environment" {
  metadata {
    name      = var.secret_name
    namespace = var.namespace
  }
  data = {
    PELOTON_TRINO_CATALOG_PASSWORD = var.secrets["catalog_password"]
    PELOTON_TRINO_SOURCE_PASSWORD  = var.secrets["source_password"]
    PELOTON_TRINO_S3_ACCESS_KEY    = var.secrets["s3_access_key"]
    PELOTON_TRINO_S3_SECRET_KEY    = var.secrets["s3_secret_key"]
    TRINO_SHARED_SECRET            = var.secrets["shared_secret"]
  }
}

resource "kubernetes_secret_v1" "passwords" {
  metadata {
    name      = var.chart_values.auth.passwordAuthSecret
    namespace = var.namespace
  }
  data = {
    "password.db" = var.secrets["password_file"]
  }
}

resource "helm_release" "trino" {
  name       = "trino"
  repository = "https://trinodb.github.io/charts"
  chart      = "trino"
  version    = "1.39.1"
  namespace  = var.namespace
  values = [yamlencode(merge(var.chart_values, {
    ingress = merge(var.chart_values.ingress, { annotations = var.ingress_annotations })
  }))]
  depends_on = [kubernetes_secret_v1.environment, kubernetes_secret_v1.passwords]
}
