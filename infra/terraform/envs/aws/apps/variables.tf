variable "platform_state" {
  description = "Where the platform state is: bucket, key and region of its S3 backend."
  type        = map(string)
}
