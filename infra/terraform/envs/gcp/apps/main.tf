# GCP apps state: Trino, Superset, Prefect and the PostgreSQL roles on the platform state's GKE
# cluster, their secrets read from Secret Manager. Apply after envs/gcp/platform.
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

locals {
  platform = data.terraform_remote_state.platform.outputs
}

data "google_client_config" "this" {}

provider "kubernetes" {
  host                   = local.platform.cluster_endpoint
  cluster_ca_certificate = base64decode(local.platform.cluster_ca_certificate)
  token                  = data.google_client_config.this.access_token
}

provider "helm" {
  kubernetes {
    host                   = local.platform.cluster_endpoint
    cluster_ca_certificate = base64decode(local.platform.cluster_ca_certificate)
    token                  = data.google_client_config.this.access_token
  }
}

# PREFECT_API_KEY comes from the environment
provider "prefect" {
  account_id   = var.prefect_account_id
  workspace_id = var.prefect_workspace_id
}

data "google_secret_manager_secret_version" "this" {
  for_each = local.platform.secret_names
  secret   = each.value
}

module "config" {
  source            = "../../../modules/config"
  cloud             = "gcp"
  project           = var.project
  environment       = var.environment
  profile           = var.profile
  region            = var.region
  bucket_suffix     = var.gcp_project
  trino_workers_max = var.trino_workers_max
  postgres_host     = local.platform.postgres_host
  trino_hostname    = var.trino_hostname
  superset_hostname = var.superset_hostname
  peloton_package   = var.peloton_package
  pip_index_url     = var.pip_index_url
}

module "apps" {
  source          = "../../../modules/apps"
  config          = module.config
  postgres_host   = local.platform.postgres_host
  secrets         = { for k, v in data.google_secret_manager_secret_version.this : k => v.secret_data }
  acme_email      = var.acme_email
  peloton_package = var.peloton_package
  prefect         = { account_id = var.prefect_account_id, workspace_id = var.prefect_workspace_id }
  prefect_api_key = var.prefect_api_key
}
