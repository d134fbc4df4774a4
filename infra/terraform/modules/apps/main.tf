# The apps of one platform, the same on every cloud: namespace, ingress and certificates, the
# PostgreSQL roles, Trino and its views, Superset, the flyby exports server and Prefect. A cloud's apps root gives the platform's
# outputs and the secret store's values.
terraform {
  required_version = ">= 1.9"
  required_providers {
    helm       = { source = "hashicorp/helm", version = ">= 2.17, < 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
    prefect    = { source = "prefecthq/prefect", version = ">= 2.92, < 3.0" }
  }
}

variable "config" {
  description = "The config module's outputs."
  type        = any
}

variable "postgres_host" {
  description = "The managed PostgreSQL's private host."
  type        = string
}

variable "secrets" {
  description = "The secret store's values by key (config module: secret_keys)."
  type        = map(string)
  sensitive   = true
}

variable "acme_email" {
  description = "E-mail address Let's Encrypt sends expiry notices to."
  type        = string
}

variable "peloton_package" {
  description = "The Peloton requirement jobs and flow runs install."
  type        = string
}

variable "pip_index_url" {
  description = "Private package index jobs and flow runs install from; empty: PyPI."
  type        = string
}

variable "alert_webhook_url" {
  description = "URL the pipeline's alerts are posted to (a custom-webhook Prefect block); empty: alerts only in the runs' logs."
  type        = string
  sensitive   = true
}

variable "prefect" {
  description = "Prefect Cloud account_id and workspace_id."
  type        = object({ account_id = string, workspace_id = string })
}

variable "prefect_api_key" {
  description = "Prefect Cloud API key of the worker."
  type        = string
  sensitive   = true
}

locals {
  c        = var.config
  s        = var.secrets
  postgres = "postgresql://%s:%s@${var.postgres_host}:5432/%s?sslmode=require"
  alerts   = nonsensitive(var.alert_webhook_url != "")
}

module "cluster_base" {
  source     = "../cluster_base"
  namespace  = local.c.names.namespace
  acme_email = var.acme_email
}

module "database" {
  source    = "../database"
  namespace = module.cluster_base.namespace
  host      = var.postgres_host
  databases = local.c.databases
  roles     = local.c.roles
  passwords = {
    admin    = local.s["postgres-admin-password"]
    catalog  = local.s["postgres-catalog-password"]
    superset = local.s["postgres-superset-password"]
    reader   = local.s["postgres-reader-password"]
  }
}

module "trino" {
  source              = "../trino"
  namespace           = module.cluster_base.namespace
  chart_values        = local.c.trino_chart
  secret_name         = local.c.names.trino_secret
  ingress_annotations = module.cluster_base.ingress_annotations
  secrets = {
    catalog_password = local.s["postgres-catalog-password"]
    source_password  = local.s["postgres-reader-password"]
    s3_access_key    = local.s["storage-access-key-id"]
    s3_secret_key    = local.s["storage-secret-access-key"]
    shared_secret    = local.s["trino-shared-secret"]
    password_file    = local.s["trino-password-file"]
  }
  depends_on = [module.database]
}

module "superset" {
  source              = "../superset"
  namespace           = module.cluster_base.namespace
  chart_values        = local.c.superset_chart
  ingress_annotations = module.cluster_base.ingress_annotations
  url                 = local.c.superset_url
  trino_host          = trimprefix(local.c.trino_url, "https://")
  peloton_package     = var.peloton_package
  pip_index_url       = var.pip_index_url
  gifs_url            = local.c.gifs_url
  secrets = {
    secret_key     = local.s["superset-secret-key"]
    admin_password = local.s["superset-admin-password"]
    db_password    = local.s["postgres-superset-password"]
    bi_password    = local.s["trino-bi-password"]
  }
  depends_on = [module.database, module.trino]
}

module "prefect" {
  source              = "../prefect"
  namespace           = module.cluster_base.namespace
  work_pool           = local.c.names.work_pool
  base_job_template   = local.c.base_job_template
  deployments         = local.c.deployments
  schedules           = local.c.schedules
  flow_names          = local.c.flow_names
  pull_steps          = local.c.pull_steps
  job_env             = local.c.job_env
  worker_chart_values = local.c.prefect_worker_chart
  settings_secret     = local.c.names.settings_secret
  account_id          = var.prefect.account_id
  workspace_id        = var.prefect.workspace_id
  api_key             = var.prefect_api_key
  storage_block       = local.c.names.storage_block
  storage = {
    access_key_id     = local.s["storage-access-key-id"]
    secret_access_key = local.s["storage-secret-access-key"]
    region            = local.c.storage.region
    endpoint          = local.c.storage.endpoint
  }
  alert_block       = local.alerts ? local.c.names.alert_block : ""
  alert_webhook_url = var.alert_webhook_url
  settings = merge(local.c.settings_env, jsondecode(local.s["peloton-extra-settings"]), {
    PELOTON_CATALOG__URI                  = format(local.postgres, local.c.roles.catalog, local.s["postgres-catalog-password"], local.c.databases.catalog)
    PELOTON_SOURCE__URL                   = format(local.postgres, local.c.roles.admin, local.s["postgres-admin-password"], local.c.databases.source)
    PELOTON_SOURCE__READER_URL            = format(local.postgres, local.c.roles.reader, local.s["postgres-reader-password"], local.c.databases.source)
    PELOTON_STORAGE__S3_ACCESS_KEY_ID     = local.s["storage-access-key-id"]
    PELOTON_STORAGE__S3_SECRET_ACCESS_KEY = local.s["storage-secret-access-key"]
    PELOTON_SUPERSET__ADMIN_PASSWORD      = local.s["superset-admin-password"]
    # etl's password for the pipeline's queries, bot's for the bot's (bot_index)
    PELOTON_TRINO__PASSWORD  = local.s["trino-etl-password"]
    PELOTON_TRINO__PASSWORDS = jsonencode({ bot = local.s["trino-bot-password"] })
    PELOTON_ALERTS__BLOCK    = local.alerts ? "custom-webhook/${local.c.names.alert_block}" : ""
  })
  depends_on = [module.database]
}

# Trino's views, created as etl once Trino answers and again when a view changes
module "views" {
  source          = "../views"
  namespace       = module.cluster_base.namespace
  views_hash      = local.c.views.hash
  settings_secret = module.prefect.settings_secret
  peloton_package = var.peloton_package
  pip_index_url   = var.pip_index_url
  depends_on      = [module.trino, module.prefect]
}

module "gifs" {
  source              = "../gifs"
  namespace           = module.cluster_base.namespace
  hostname            = trimprefix(local.c.gifs_url, "https://")
  ingress_annotations = module.cluster_base.ingress_annotations
  settings_secret     = module.prefect.settings_secret
  peloton_package     = var.peloton_package
  pip_index_url       = var.pip_index_url
  depends_on          = [module.prefect]
}
