# GCP platform state: network, warehouse bucket, Cloud SQL PostgreSQL, the secrets in Secret
# Manager and the GKE cluster. Apply it first; envs/gcp/apps reads its outputs.
terraform {
  required_version = ">= 1.9"
  required_providers {
    google = { source = "hashicorp/google", version = "= 6.8.0" }
    random = { source = "hashicorp/random", version = "= 3.6.3" }
  }
}

provider "google" {
  project        = var.gcp_project
  region         = var.region
  default_labels = { project = var.project, environment = var.environment }
}

module "config" {
  source        = "../../../modules/config"
  cloud         = "gcp"
  project       = var.project
  environment   = var.environment
  profile       = var.profile
  region        = var.region
  bucket_suffix = var.gcp_project
}

module "network" {
  source = "../../../modules/gcp_network"
  name   = module.config.names.network
  region = var.region
}

module "object_store" {
  source                    = "../../../modules/gcp_object_store"
  bucket                    = module.config.names.bucket
  location                  = var.region
  gif_prefix                = module.config.gif_lifecycle.prefix
  gif_noncurrent_days       = module.config.gif_lifecycle.noncurrent_days
  gif_abort_incomplete_days = module.config.gif_lifecycle.abort_incomplete_days
}

module "credentials" {
  source      = "../../../modules/credentials"
  keys        = module.config.secret_keys
  trino_users = module.config.trino_users
  given = {
    "storage-access-key-id"     = module.object_store.access_key_id
    "storage-secret-access-key" = module.object_store.secret_access_key
    "peloton-extra-settings"    = jsonencode(var.extra_secret_settings)
  }
}

module "secrets" {
  source = "../../../modules/gcp_secrets"
  prefix = module.config.names.prefix
  keys   = module.config.secret_keys
  values = module.credentials.values
}

module "postgres" {
  source                      = "../../../modules/gcp_postgres"
  name                        = module.config.names.postgres
  region                      = var.region
  network_id                  = module.network.network_id
  private_services_connection = module.network.private_services_connection
  tier                        = module.config.size.gcp_postgres_tier
  storage_gb                  = module.config.size.postgres_storage_gb
  high_availability           = module.config.size.postgres_high_avail
  backup_retention_days       = module.config.size.backup_retention_days
  admin_user                  = module.config.roles.admin
  admin_password              = module.credentials.values["postgres-admin-password"]
}

module "kubernetes" {
  source        = "../../../modules/gcp_kubernetes"
  name          = module.config.names.cluster
  location      = var.cluster_location
  network_id    = module.network.network_id
  subnetwork_id = module.network.subnetwork_id
  admin_cidrs   = var.admin_cidrs
  node_type     = module.config.size.gcp_node_type
  nodes_min     = module.config.size.nodes_min
  nodes_max     = module.config.size.nodes_max
  spot          = module.config.size.spot
}
