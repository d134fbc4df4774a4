output "names" {
  description = "Resource names, all derived from project and environment."
  value       = local.names
}

output "size" {
  description = "The profile's sizes: machine types, node counts, database class, Trino workers and heaps."
  value       = local.size
}

output "databases" {
  description = "PostgreSQL databases by use: catalog (Iceberg JDBC catalog), superset, source."
  value       = local.databases
}

output "roles" {
  description = "PostgreSQL roles by use: admin, catalog, superset, reader (read-only, for extraction)."
  value       = local.roles
}

output "secret_keys" {
  description = "Keys of the secrets kept in the cloud's secret store."
  value       = local.secret_keys
}

output "warehouse" {
  description = "The warehouse URI (PELOTON_STORAGE__WAREHOUSE)."
  value       = local.warehouse
}

output "gif_lifecycle" {
  description = "GIF exports in the bucket: their key prefix, the days a replaced or removed version is kept, the days an unfinished upload is."
  value       = local.gif_lifecycle
}

output "storage" {
  description = "S3 endpoint, path style and region, as Trino and pyiceberg see the bucket."
  value       = local.storage
}

output "trino_catalogs" {
  description = "Trino's catalog files (lakehouse, lakehouse_rw, source), rendered from trino/catalog."
  value       = local.trino_catalogs
}

output "trino_users" {
  description = "Trino's password-authenticated users."
  value       = local.trino_users
}

output "trino_chart" {
  description = "Values of the official Trino chart."
  value       = local.trino_chart
}

output "trino_url" {
  description = "Trino's public URL."
  value       = local.trino_url
}

output "superset_chart" {
  description = "Values of the official Superset chart (no secret among them)."
  value       = local.superset_chart
}

output "superset_url" {
  description = "Superset's public URL."
  value       = local.superset_url
}

output "deployments" {
  description = "Prefect deployments from prefect.yaml, entrypoints as module paths of the wheel."
  value       = local.deployments
}

output "schedules" {
  description = "Each deployment's schedules, keyed deployment/index."
  value       = local.schedules
}

output "flow_names" {
  description = "Names of the flows the deployments run."
  value       = local.flow_names
}

output "pull_steps" {
  description = "Pull steps of every deployment: the one that installs the Peloton wheel (no clone)."
  value       = local.pull_steps
  precondition {
    condition     = var.peloton_package == null || startswith(coalesce(var.peloton_package, "-"), "peloton @ https://") || var.pip_index_url != ""
    error_message = "peloton_package `peloton==<version>` needs pip_index_url, a private index: on public PyPI `peloton` is another project."
  }
}

output "sources" {
  description = "The file sources: the bucket prefix flow runs copy into their sources folder (PELOTON_FILES__SOURCES_DIR), and that folder."
  value       = local.sources
}

output "job_env" {
  description = "Environment of every flow run besides the settings secret: where pip installs from."
  value       = local.job_env
}

output "base_job_template" {
  description = "Base job template of the Kubernetes work pool."
  value       = local.base_job_template
}

output "prefect_worker_chart" {
  description = "Values of the prefect-worker chart."
  value       = local.prefect_worker_chart
}

output "settings_env" {
  description = "Non-secret PELOTON_* settings of flow runs and jobs (the secret ones come from the secret store), extra_settings included."
  value = merge({ for k, v in {
    PELOTON_HOME                 = "/tmp/peloton"
    PELOTON_CATALOG__KIND        = "sql"
    PELOTON_CATALOG__NAME        = local.trino_values.catalog_name
    PELOTON_STORAGE__WAREHOUSE   = local.warehouse
    PELOTON_STORAGE__S3_ENDPOINT = local.storage.endpoint
    PELOTON_STORAGE__S3_REGION   = local.storage.region
    # Trino through its ingress: TLS and password authentication, as every client
    PELOTON_TRINO__HOST        = var.trino_hostname
    PELOTON_TRINO__PORT        = "443"
    PELOTON_TRINO__HTTP_SCHEME = "https"
    PELOTON_TRINO__USER        = "etl"
    PELOTON_SUPERSET__URL      = local.superset_url
    PELOTON_GIFS__PUBLIC_URL   = local.gifs_url
    PELOTON_FILES__SOURCES_DIR = local.sources.dir
  } : k => v if v != "" }, var.extra_settings)
}

output "trino_version" {
  description = "Trino's version: the local server's (lakehouse/trino/install.py)."
  value       = local.trino_version
}

output "views" {
  description = "Trino's view files (trino/views/*.sql) and the hash of their contents: a change re-runs the views job."
  value = {
    files = local.view_files
    hash  = local.views_hash
  }
}

output "gifs_url" {
  description = "Public URL of the flyby exports server (peloton gif serve)."
  value       = local.gifs_url
}
