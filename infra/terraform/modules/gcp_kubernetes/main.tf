# A GKE cluster, zonal in the small profile (the free tier's control plane) or regional, with
# private nodes in one autoscaled pool (spot in the small profile).
terraform {
  required_version = ">= 1.9"
  required_providers {
    google = { source = "hashicorp/google", version = ">= 6.8, < 7.0" }
  }
}

variable "name" {
  description = "Cluster name (config module: names.cluster)."
  type        = string
}

variable "location" {
  description = "A zone (zonal cluster: no control-plane fee for the account's first) or a region."
  type        = string
}

variable "network_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnetwork_id" {
  description = "Subnet with the `pods` and `services` secondary ranges."
  type        = string
}

variable "admin_cidrs" {
  description = "CIDRs allowed to reach the API server (the operators')."
  type        = list(string)
  validation {
    condition     = length(var.admin_cidrs) > 0 && !contains(var.admin_cidrs, "0.0.0.0/0")
    error_message = "admin_cidrs must name the operators' networks, not 0.0.0.0/0."
  }
}

variable "node_type" {
  description = "Machine type of the nodes (config module: size.gcp_node_type)."
  type        = string
}

variable "nodes_min" {
  description = "Fewest nodes."
  type        = number
}

variable "nodes_max" {
  description = "Most nodes."
  type        = number
}

variable "spot" {
  description = "Spot VMs (cheaper, may be reclaimed)."
  type        = bool
}

data "google_project" "this" {}

resource "google_service_account" "nodes" {
  account_id   = substr("${var.name}-nodes", 0, 30)
  display_name = "Peloton GKE nodes"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader"])
  project  = data.google_project.this.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_cluster" "this" {
  # checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Google Workspace domain; access is by IAM roles on the project
  # checkov:skip=CKV_GCP_69:GKE_METADATA is set on the node pool, which replaces the default one
  name                        = var.name
  location                    = var.location
  network                     = var.network_id
  subnetwork                  = var.subnetwork_id
  remove_default_node_pool    = true
  initial_node_count          = 1
  deletion_protection         = true
  enable_shielded_nodes       = true
  enable_intranode_visibility = true
  networking_mode             = "VPC_NATIVE"
  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.admin_cidrs
      content {
        cidr_block = cidr_blocks.value
      }
    }
  }
  release_channel {
    channel = "REGULAR"
  }
  workload_identity_config {
    workload_pool = "${data.google_project.this.project_id}.svc.id.goog"
  }
  network_policy {
    enabled  = true
    provider = "CALICO"
  }
  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }
  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }
  resource_labels = { app = "peloton" }
  node_config {
    service_account = google_service_account.nodes.email
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

resource "google_container_node_pool" "this" {
  name     = "${var.name}-nodes"
  cluster  = google_container_cluster.this.id
  location = var.location
  autoscaling {
    min_node_count = var.nodes_min
    max_node_count = var.nodes_max
  }
  management {
    auto_repair  = true
    auto_upgrade = true
  }
  node_config {
    machine_type    = var.node_type
    spot            = var.spot
    disk_size_gb    = 50
    image_type      = "COS_CONTAINERD"
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    metadata        = { disable-legacy-endpoints = "true" }
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

output "cluster_name" {
  description = "The cluster's name."
  value       = google_container_cluster.this.name
}

output "endpoint" {
  description = "The API server's URL."
  value       = "https://${google_container_cluster.this.endpoint}"
}

output "ca_certificate" {
  description = "The cluster's CA certificate (base64)."
  value       = google_container_cluster.this.master_auth[0].cluster_ca_certificate
}
