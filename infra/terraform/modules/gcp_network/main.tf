# A VPC with one subnet (pod and service ranges for GKE), Cloud NAT for the private nodes, and
# the private service connection Cloud SQL's private IP lives on.
terraform {
  required_version = ">= 1.9"
  required_providers {
    google = { source = "hashicorp/google", version = ">= 6.8, < 7.0" }
  }
}

variable "name" {
  description = "Prefix of the network's resource names."
  type        = string
}

variable "region" {
  description = "Region of the subnet and the NAT."
  type        = string
}

variable "cidr" {
  description = "Primary range of the subnet (nodes)."
  type        = string
  default     = "10.40.0.0/20"
}

resource "google_compute_network" "this" {
  name                    = var.name
  auto_create_subnetworks = false
}

# traffic inside the VPC (nodes, pods, the control plane's webhooks); nothing else comes in
resource "google_compute_firewall" "internal" {
  name      = "${var.name}-internal"
  network   = google_compute_network.this.id
  direction = "INGRESS"
  allow {
    protocol = "tcp"
  }
  allow {
    protocol = "udp"
  }
  allow {
    protocol = "icmp"
  }
  source_ranges = [var.cidr, "10.48.0.0/14", "172.16.0.0/28"]
  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_subnetwork" "this" {
  name                     = var.name
  region                   = var.region
  network                  = google_compute_network.this.id
  ip_cidr_range            = var.cidr
  private_ip_google_access = true
  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = "10.48.0.0/14"
  }
  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = "10.52.0.0/20"
  }
  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_router" "this" {
  name    = var.name
  region  = var.region
  network = google_compute_network.this.id
}

resource "google_compute_router_nat" "this" {
  name                               = var.name
  router                             = google_compute_router.this.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

resource "google_compute_global_address" "services" {
  name          = "${var.name}-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = google_compute_network.this.id
}

resource "google_service_networking_connection" "this" {
  network                 = google_compute_network.this.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.services.name]
}

output "network_id" {
  description = "The VPC's id."
  value       = google_compute_network.this.id
}

output "subnetwork_id" {
  description = "The subnet's id."
  value       = google_compute_subnetwork.this.id
}

output "private_services_connection" {
  description = "The private service connection (Cloud SQL waits for it)."
  value       = google_service_networking_connection.this.id
}
