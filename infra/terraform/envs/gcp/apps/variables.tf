variable "gcp_project" {
  description = "Google Cloud project id the platform lives in."
  type        = string
}

variable "platform_state" {
  description = "Where the platform state is: bucket and prefix of its GCS backend."
  type        = map(string)
}
