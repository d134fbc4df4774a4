# Variables of every root (linked into each envs/<cloud>/<state>/).

variable "region" {
  description = "Cloud region of every resource (eu-west-1, europe-west1, ...)."
  type        = string
}

variable "project" {
  description = "Prefix of every resource name."
  type        = string
  default     = "peloton"
}

variable "environment" {
  description = "Environment name, part of every resource name."
  type        = string
  default     = "prod"
}

variable "profile" {
  description = "Size profile: small or medium (infra/terraform/README.md gives each one's monthly cost)."
  type        = string
  default     = "small"
}
