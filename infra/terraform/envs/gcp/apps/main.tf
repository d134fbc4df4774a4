# GCP apps state: Trino, Superset, Prefect and the PostgreSQL roles on the platform state's GKE
# cluster, their secrets read from Secret Manager (the body: apps.tf, a link to envs/aws/apps/apps.tf).
# Apply after envs/gcp/platform.
terraform {
  required_version = ">= 1.9"
  required_providers {
    google     = { source = "hashicorp/google", version = "= 6.8.0" }
    helm       = { source = "hashicorp/helm", version = "= 2.17.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = "= 2.36.0" }
    prefect    = { source = "prefecthq/prefect", version = "= 2.92.1" }
  }
}

provider "google" {
  project = var.gcp_project
  region  = var.region
}

data "terraform_remote_state" "platform" {
  backend = "gcs"
  config  = var.platform_state
}

data "google_client_config" "this" {}

data "google_secret_manager_secret_version" "this" {
  for_each = local.platform.secret_names
  secret   = each.value
}

locals {
  platform         = data.terraform_remote_state.platform.outputs
  cloud            = "gcp"
  bucket_suffix    = var.gcp_project
  kubernetes_token = data.google_client_config.this.access_token
  secrets          = { for k, v in data.google_secret_manager_secret_version.this : k => v.secret_data }
}
