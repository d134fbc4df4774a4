# The apps root's body, the same on every cloud: envs/gcp/apps/apps.tf links here (a real file at
# this depth, so that every tool resolves the module sources alike). The cloud's main.tf gives:
# local.platform (the platform state's outputs), local.cloud, local.bucket_suffix,
# local.kubernetes_token and local.secrets (the secret store's values).

provider "kubernetes" {
  host                   = local.platform.cluster_endpoint
  cluster_ca_certificate = base64decode(local.platform.cluster_ca_certificate)
  token                  = local.kubernetes_token
}

provider "helm" {
  kubernetes {
    host                   = local.platform.cluster_endpoint
    cluster_ca_certificate = base64decode(local.platform.cluster_ca_certificate)
    token                  = local.kubernetes_token
  }
}

# PREFECT_API_KEY comes from the environment
provider "prefect" {
  account_id   = var.prefect_account_id
  workspace_id = var.prefect_workspace_id
}

module "config" {
  source            = "../../../modules/config"
  cloud             = local.cloud
  project           = var.project
  environment       = var.environment
  profile           = var.profile
  region            = var.region
  bucket_suffix     = local.bucket_suffix
  trino_workers_max = var.trino_workers_max
  postgres_host     = local.platform.postgres_host
  trino_hostname    = var.trino_hostname
  superset_hostname = var.superset_hostname
  gifs_hostname     = var.gifs_hostname
  peloton_package   = var.peloton_package
  pip_index_url     = var.pip_index_url
  extra_settings    = var.extra_settings
}

module "apps" {
  source            = "../../../modules/apps"
  config            = module.config
  postgres_host     = local.platform.postgres_host
  secrets           = local.secrets
  acme_email        = var.acme_email
  peloton_package   = var.peloton_package
  pip_index_url     = var.pip_index_url
  alert_webhook_url = var.alert_webhook_url
  prefect           = { account_id = var.prefect_account_id, workspace_id = var.prefect_workspace_id }
  prefect_api_key   = var.prefect_api_key
}
