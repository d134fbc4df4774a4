# AWS platform state: network, warehouse bucket, RDS PostgreSQL, the secrets in Secrets Manager
# and the EKS cluster. Apply it first; envs/aws/apps reads its outputs.
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws    = { source = "hashicorp/aws", version = "= 5.100.0" }
    random = { source = "hashicorp/random", version = "= 3.6.3" }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = var.project, environment = var.environment }
  }
}

data "aws_caller_identity" "this" {}

module "config" {
  source        = "../../../modules/config"
  cloud         = "aws"
  project       = var.project
  environment   = var.environment
  profile       = var.profile
  region        = var.region
  bucket_suffix = data.aws_caller_identity.this.account_id
}

module "network" {
  source = "../../../modules/aws_network"
  name   = module.config.names.network
}

module "object_store" {
  source                    = "../../../modules/aws_object_store"
  bucket                    = module.config.names.bucket
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
  source = "../../../modules/aws_secrets"
  prefix = module.config.names.secrets_prefix
  keys   = module.config.secret_keys
  values = module.credentials.values
}

module "postgres" {
  source                = "../../../modules/aws_postgres"
  name                  = module.config.names.postgres
  vpc_id                = module.network.vpc_id
  allowed_cidr          = module.network.cidr
  subnet_ids            = module.network.private_subnet_ids
  instance_class        = module.config.size.aws_postgres_class
  storage_gb            = module.config.size.postgres_storage_gb
  multi_az              = module.config.size.postgres_high_avail
  backup_retention_days = module.config.size.backup_retention_days
  admin_user            = module.config.roles.admin
  admin_password        = module.credentials.values["postgres-admin-password"]
  database              = module.config.databases.catalog
}

module "kubernetes" {
  source      = "../../../modules/aws_kubernetes"
  name        = module.config.names.cluster
  subnet_ids  = module.network.private_subnet_ids
  admin_cidrs = var.admin_cidrs
  node_type   = module.config.size.aws_node_type
  nodes_min   = module.config.size.nodes_min
  nodes_max   = module.config.size.nodes_max
  spot        = module.config.size.spot
}
