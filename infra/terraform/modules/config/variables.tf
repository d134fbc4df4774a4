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

variable "gifs_hostname" {
  description = "Public host name of the flyby exports server (TLS at the ingress)."
  type        = string
  default     = "gifs.example.org"
}

variable "extra_settings" {
  description = "Further non-secret settings of flow runs and jobs: PELOTON_UPKEEP__*, PELOTON_PRIVACY__*, PELOTON_LLM__*, PELOTON_SHEETS__* variables by name (secret ones: the platform's extra_secret_settings)."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for k in keys(var.extra_settings) : can(regex("^PELOTON_(UPKEEP|PRIVACY|LLM|SHEETS)__[A-Z0-9_]+$", k))])
    error_message = "extra_settings keys must be PELOTON_UPKEEP__*, PELOTON_PRIVACY__*, PELOTON_LLM__* or PELOTON_SHEETS__* variables."
  }
}

variable "peloton_package" {
  description = "The Peloton wheel flow runs and jobs install (the apps roots require it: public PyPI's `peloton` is another project): `peloton @ https://.../peloton-<version>-py3-none-any.whl#sha256=<hash>`, or `peloton==<version>` with pip_index_url, a private index."
  type        = string
  default     = null # the platform states install nothing; the apps roots require it
  validation {
    condition     = var.peloton_package == null || can(regex("^peloton @ https://\\S+\\.whl#sha256=[0-9a-f]{64}$", var.peloton_package)) || can(regex("^peloton==[0-9][0-9A-Za-z.+-]*$", var.peloton_package))
    error_message = "peloton_package must be `peloton @ https://<host>/<path>.whl#sha256=<hex>` or `peloton==<version>` (then set pip_index_url to a private index)."
  }
}

variable "pip_index_url" {
  description = "Private package index flow runs and jobs install from (it must also serve or proxy Peloton's dependencies); required with `peloton==<version>`, empty with a wheel URL (dependencies from PyPI)."
  type        = string
  default     = ""
}
