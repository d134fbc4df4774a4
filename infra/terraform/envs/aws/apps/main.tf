# AWS apps state: Trino, Superset, Prefect and the PostgreSQL roles on the platform state's EKS
# cluster, their secrets read from Secrets Manager (the body: apps.tf, which envs/gcp/apps links).
# Apply after envs/aws/platform.
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws        = { source = "hashicorp/aws", version = "= 5.100.0" }
    helm       = { source = "hashicorp/helm", version = "= 2.17.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = "= 2.36.0" }
    prefect    = { source = "prefecthq/prefect", version = "= 2.92.1" }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = var.project, environment = var.environment }
  }
}

data "terraform_remote_state" "platform" {
  backend = "s3"
  config  = var.platform_state
}

data "aws_eks_cluster_auth" "this" {
  name = local.platform.cluster_name
}

data "aws_secretsmanager_secret_version" "this" {
  for_each  = local.platform.secret_names
  secret_id = each.value
}

locals {
  platform         = data.terraform_remote_state.platform.outputs
  cloud            = "aws"
  bucket_suffix    = split("-warehouse-", local.platform.bucket)[1]
  kubernetes_token = data.aws_eks_cluster_auth.this.token
  secrets          = { for k, v in data.aws_secretsmanager_secret_version.this : k => v.secret_string }
}
