# The warehouse bucket: versioned, encrypted (Google-managed keys), public access prevented,
# GIF exports expiring; and the HMAC key Trino and pyiceberg sign with through GCS's S3 API.
terraform {
  required_version = ">= 1.9"
  required_providers {
    google = { source = "hashicorp/google", version = ">= 6.8, < 7.0" }
  }
}

variable "bucket" {
  description = "Bucket name (config module: names.bucket)."
  type        = string
}

variable "location" {
  description = "Bucket location (the region)."
  type        = string
}

variable "gif_prefix" {
  description = "Object prefix of the GIF exports (config module: gif_lifecycle.prefix)."
  type        = string
}

variable "gif_noncurrent_days" {
  description = "Days a replaced or removed GIF export's version is kept (the current one is kept: marts.gif_exports points at it)."
  type        = number
}

variable "gif_abort_incomplete_days" {
  description = "Days an unfinished upload of a GIF export is kept."
  type        = number
}

variable "noncurrent_days" {
  description = "Days an overwritten or deleted object version is kept."
  type        = number
  default     = 30
}

variable "log_bucket" {
  description = "Bucket that receives the warehouse bucket's access logs; empty: no access logs."
  type        = string
  default     = ""
}

resource "google_storage_bucket" "warehouse" {
  # checkov:skip=CKV_GCP_62:access logs are optional (log_bucket), Cloud Audit Logs record data access
  name                        = var.bucket
  location                    = upper(var.location)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.gif_noncurrent_days
      with_state                 = "ARCHIVED"
      matches_prefix             = [var.gif_prefix]
    }
    action {
      type = "Delete"
    }
  }
  lifecycle_rule {
    condition {
      age            = var.gif_abort_incomplete_days
      matches_prefix = [var.gif_prefix]
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }
  dynamic "logging" {
    for_each = var.log_bucket == "" ? [] : [var.log_bucket]
    content {
      log_bucket = logging.value
    }
  }
}

resource "google_service_account" "warehouse" {
  account_id   = substr(replace(var.bucket, "/[^a-z0-9-]/", "-"), 0, 30)
  display_name = "Peloton warehouse access (Trino, flow runs)"
}

resource "google_storage_bucket_iam_member" "warehouse" {
  bucket = google_storage_bucket.warehouse.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.warehouse.email}"
}

resource "google_storage_hmac_key" "warehouse" {
  service_account_email = google_service_account.warehouse.email
}

output "bucket" {
  description = "The bucket's name."
  value       = google_storage_bucket.warehouse.name
}

output "warehouse_uri" {
  description = "The warehouse URI (PELOTON_STORAGE__WAREHOUSE; s3:// through GCS's S3 API)."
  value       = "s3://${google_storage_bucket.warehouse.name}/warehouse"
}

output "access_key_id" {
  description = "HMAC access id of the warehouse's service account."
  value       = google_storage_hmac_key.warehouse.access_id
  sensitive   = true
}

output "secret_access_key" {
  description = "HMAC secret of the warehouse's service account."
  value       = google_storage_hmac_key.warehouse.secret
  sensitive   = true
}
