variable "admin_cidrs" {
  description = "CIDRs allowed to reach the Kubernetes API (the operators' addresses)."
  type        = list(string)
}
