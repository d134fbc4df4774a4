locals {
  repo = "${path.module}/../../../.."
  name = "${var.project}-${var.environment}"

  profiles = {
    small = {
      aws_node_type          = "t3.large"
      gcp_node_type          = "e2-standard-4"
      nodes_min              = 1
      nodes_max              = 3
      spot                   = true
      aws_postgres_class     = "db.t4g.micro"
      gcp_postgres_tier      = "db-g1-small"
      postgres_storage_gb    = 20
      postgres_high_avail    = false
      backup_retention_days  = 7
      trino_workers          = 1
      trino_workers_max      = 2
      trino_coordinator_heap = "2G"
      trino_worker_heap      = "3G"
      trino_query_max_memory = "2GB"
      trino_worker_cpu       = "1"
      trino_worker_memory    = "4Gi"
      superset_workers       = 2
    }
    medium = {
      aws_node_type          = "m6i.xlarge"
      gcp_node_type          = "e2-standard-8"
      nodes_min              = 2
      nodes_max              = 6
      spot                   = false
      aws_postgres_class     = "db.t4g.medium"
      gcp_postgres_tier      = "db-custom-2-7680"
      postgres_storage_gb    = 50
      postgres_high_avail    = true
      backup_retention_days  = 14
      trino_workers          = 2
      trino_workers_max      = 6
      trino_coordinator_heap = "4G"
      trino_worker_heap      = "10G"
      trino_query_max_memory = "8GB"
      trino_worker_cpu       = "3"
      trino_worker_memory    = "14Gi"
      superset_workers       = 4
    }
  }
  size = merge(local.profiles[var.profile], var.trino_workers_max == null ? {} : {
    trino_workers_max = var.trino_workers_max
  })

  names = {
    prefix          = local.name
    bucket          = var.bucket_suffix == "" ? "${local.name}-warehouse" : "${local.name}-warehouse-${var.bucket_suffix}"
    postgres        = "${local.name}-postgres"
    cluster         = "${local.name}-k8s"
    network         = "${local.name}-net"
    secrets_prefix  = "${local.name}/"
    namespace       = "peloton"
    work_pool       = "${local.name}-k8s"
    settings_secret = "peloton-settings"
    trino_secret    = "trino-secrets"
    alert_block     = "${local.name}-alerts"
    storage_block   = "${local.name}-storage"
  }

  # PostgreSQL: one instance, a database per use; roles created by the database-roles job
  databases = {
    catalog  = "iceberg"
    superset = "superset"
    source   = "peloton"
  }
  roles = {
    admin    = "peloton_admin"
    catalog  = "peloton_catalog"
    superset = "superset"
    reader   = "peloton_reader"
  }

  # The warehouse is a prefix of the bucket; the GIF exports are written under it, at
  # <warehouse>/exports/gifs (lakehouse/gifs/exports.py EXPORTS_DIR, read here: one source).
  # A current GIF is kept (marts.gif_exports points at it and an unchanged stage is never
  # re-rendered); the versions a re-render or a removal leaves behind expire sooner than the
  # rest of the warehouse's, and unfinished uploads are dropped after a day.
  warehouse_prefix = "warehouse"
  warehouse        = "s3://${local.names.bucket}/${local.warehouse_prefix}"
  exports_dir = one(regex("(?m)^EXPORTS_DIR = \"([^\"]+)\"$",
  file("${local.repo}/lakehouse/gifs/exports.py")))
  gif_lifecycle = {
    prefix                = "${local.warehouse_prefix}/${local.exports_dir}/"
    noncurrent_days       = 7
    abort_incomplete_days = 1
  }

  # Trino's views, created by the apps' views job; their hash names the job, so a changed or
  # added view re-runs it
  view_files = sort(fileset("${local.repo}/trino/views", "*.sql"))
  views_hash = sha256(join("", [for f in local.view_files : "${f}\n${filesha256("${local.repo}/trino/views/${f}")}\n"]))
  gifs_url   = "https://${var.gifs_hostname}"

  # every secret the platform keeps in the cloud's secret store, by key
  secret_keys = [
    "postgres-admin-password",
    "postgres-catalog-password",
    "postgres-superset-password",
    "postgres-reader-password",
    "trino-etl-password",
    "trino-bi-password",
    "trino-bot-password",
    "trino-shared-secret",
    "trino-password-file",
    "superset-secret-key",
    "superset-admin-password",
    "storage-access-key-id",
    "storage-secret-access-key",
    "peloton-extra-settings",
  ]
}
