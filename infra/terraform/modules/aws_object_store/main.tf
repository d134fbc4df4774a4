# The warehouse bucket: versioned, KMS-encrypted, never public, GIF exports expiring; and the
# access key Trino and pyiceberg sign with (the local server's storage-s3 catalog reads keys).
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.80, < 6.0" }
  }
}

variable "bucket" {
  description = "Bucket name (config module: names.bucket)."
  type        = string
}

variable "gif_prefix" {
  description = "Key prefix of the GIF exports (config module: gif_lifecycle.prefix)."
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

resource "aws_kms_key" "bucket" {
  # checkov:skip=CKV2_AWS_64:the default key policy: the account owns the key and its IAM policies grant its use
  description         = "${var.bucket} objects"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "warehouse" {
  # checkov:skip=CKV2_AWS_62:nothing consumes object events: flows write and Trino reads on their own schedule
  # checkov:skip=CKV_AWS_18:one machine user and the flows write here; CloudTrail data events can be turned on where access audits are required
  # checkov:skip=CKV_AWS_144:versioning keeps every overwritten object; a second region doubles the storage bill for a rebuildable warehouse
  bucket = var.bucket
}

resource "aws_s3_bucket_versioning" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.bucket.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "warehouse" {
  bucket                  = aws_s3_bucket.warehouse.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  rule {
    id     = "gif-exports"
    status = "Enabled"
    filter {
      prefix = var.gif_prefix
    }
    noncurrent_version_expiration {
      noncurrent_days = var.gif_noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.gif_abort_incomplete_days
    }
  }
  rule {
    id     = "old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# Trino's S3 file system and pyiceberg sign with one key pair, kept in the secret store
resource "aws_iam_group" "warehouse" {
  name = "${var.bucket}-users"
}

resource "aws_iam_group_policy" "warehouse" {
  name  = "warehouse-read-write"
  group = aws_iam_group.warehouse.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = aws_s3_bucket.warehouse.arn
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
        Resource = "${aws_s3_bucket.warehouse.arn}/*"
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.bucket.arn
      },
    ]
  })
}

resource "aws_iam_user" "warehouse" {
  # checkov:skip=CKV_AWS_273:a machine user: Trino's native S3 file system and pyiceberg sign with static keys (trino/catalog/storage-s3.properties)
  name = "${var.bucket}-access"
}

resource "aws_iam_user_group_membership" "warehouse" {
  user   = aws_iam_user.warehouse.name
  groups = [aws_iam_group.warehouse.name]
}

resource "aws_iam_access_key" "warehouse" {
  user = aws_iam_user.warehouse.name
}

output "bucket" {
  description = "The bucket's name."
  value       = aws_s3_bucket.warehouse.id
}

output "warehouse_uri" {
  description = "The warehouse URI (PELOTON_STORAGE__WAREHOUSE)."
  value       = "s3://${aws_s3_bucket.warehouse.id}/warehouse"
}

output "access_key_id" {
  description = "Access key id of the warehouse's machine user."
  value       = aws_iam_access_key.warehouse.id
  sensitive   = true
}

output "secret_access_key" {
  description = "Secret key of the warehouse's machine user."
  value       = aws_iam_access_key.warehouse.secret
  sensitive   = true
}
