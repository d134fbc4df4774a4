# Variables of both apps roots (linked into each envs/<cloud>/apps/).

variable "trino_workers_max" {
  description = "Upper bound of Trino's autoscaled workers; null keeps the profile's."
  type        = number
  default     = null
}

variable "trino_hostname" {
  description = "Public host name of Trino (a DNS record to the ingress's load balancer)."
  type        = string
}

variable "superset_hostname" {
  description = "Public host name of Superset (a DNS record to the ingress's load balancer)."
  type        = string
}

variable "acme_email" {
  description = "E-mail address Let's Encrypt sends certificate expiry notices to."
  type        = string
}

variable "peloton_package" {
  description = "What flow runs and jobs pip-install: peloton==<version> from pip_index_url, or the URL of the wheel `make dist` builds."
  type        = string
  default     = "peloton==0.1.0"
}

variable "pip_index_url" {
  description = "Package index Peloton is installed from; empty: PyPI."
  type        = string
  default     = ""
}

variable "prefect_account_id" {
  description = "Prefect Cloud account id."
  type        = string
}

variable "prefect_workspace_id" {
  description = "Prefect Cloud workspace id."
  type        = string
}

variable "prefect_api_key" {
  description = "Prefect Cloud API key of the worker (a service account's); give it as TF_VAR_prefect_api_key."
  type        = string
  sensitive   = true
}
