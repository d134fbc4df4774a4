variable "gcp_project" {
  description = "Google Cloud project id the platform lives in."
  type        = string
}

variable "cluster_location" {
  description = "GKE location: a zone (europe-west1-b; the account's first zonal cluster has no control-plane fee) or the region (medium: a regional control plane)."
  type        = string
}

variable "admin_cidrs" {
  description = "CIDRs allowed to reach the Kubernetes API (the operators' addresses)."
  type        = list(string)
}
