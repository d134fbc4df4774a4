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

variable "gifs_hostname" {
  description = "Public host name of the flyby exports server (a DNS record to the ingress's load balancer)."
  type        = string
}

variable "peloton_package" {
  description = "The Peloton wheel flow runs and jobs install, no default (public PyPI's `peloton` is another project): `peloton @ https://.../peloton-<version>-py3-none-any.whl#sha256=<hash>`, or `peloton==<version>` with pip_index_url."
  type        = string
}

variable "pip_index_url" {
  description = "Private package index Peloton (and its dependencies, proxied) is installed from; empty with a wheel URL."
  type        = string
  default     = ""
}

variable "extra_settings" {
  description = "Further non-secret settings of flow runs and jobs (PELOTON_UPKEEP__*, PELOTON_PRIVACY__*, PELOTON_LLM__*, PELOTON_SHEETS__*); the secret ones are the platform's extra_secret_settings."
  type        = map(string)
  default     = {}
}

variable "alert_webhook_url" {
  description = "URL the pipeline's alerts are posted to (a Prefect custom-webhook block; PELOTON_ALERTS__BLOCK); empty: alerts only in the runs' logs. Give it as TF_VAR_alert_webhook_url."
  type        = string
  sensitive   = true
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
