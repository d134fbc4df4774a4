variable "cloud" {
  description = "Cloud the platform runs on: aws or gcp."
  type        = string
  validation {
    condition     = contains(["aws", "gcp"], var.cloud)
    error_message = "cloud must be aws or gcp."
  }
}

variable "project" {
  description = "Prefix of every resource name (lower-case letters, digits and dashes)."
  type        = string
  default     = "peloton"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project))
    error_message = "project must be 2-20 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (prod, staging, ...), part of every resource name."
  type        = string
  default     = "prod"
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lower-case letters or digits, starting with a letter."
  }
}

variable "profile" {
  description = "Size profile: small (about 100 EUR a month) or medium."
  type        = string
  default     = "small"
  validation {
    condition     = contains(["small", "medium"], var.profile)
    error_message = "profile must be small or medium."
  }
}

variable "region" {
  description = "Cloud region (eu-west-1, europe-west1, ...)."
  type        = string
}

variable "bucket_suffix" {
  description = "Suffix that makes the warehouse bucket's name globally unique (account id, project id)."
  type        = string
  default     = ""
}

variable "trino_workers_max" {
  description = "Upper bound of Trino's autoscaled workers; null keeps the profile's."
  type        = number
  default     = null
}

variable "postgres_host" {
  description = "Host of the managed PostgreSQL (a platform output); empty in the platform state."
  type        = string
  default     = "postgres.invalid"
}

variable "postgres_port" {
  description = "Port of the managed PostgreSQL."
  type        = number
  default     = 5432
}

variable "source_jdbc_host" {
  description = "Host of the race source database when it does not live on the managed PostgreSQL; empty: it does."
  type        = string
  default     = ""
}

variable "trino_hostname" {
  description = "Public host name of Trino's coordinator (TLS at the ingress)."
  type        = string
  default     = "trino.example.org"
}

variable "superset_hostname" {
  description = "Public host name of Superset (TLS at the ingress)."
  type        = string
  default     = "superset.example.org"
}

variable "peloton_package" {
  description = "What flow runs pip-install at start: a requirement (peloton==0.1.0) from pip_index_url, or the URL of the wheel `make dist` builds."
  type        = string
  default     = "peloton==0.1.0"
}

variable "pip_index_url" {
  description = "Package index the flow runs and jobs install Peloton from; empty: PyPI."
  type        = string
  default     = ""
}
