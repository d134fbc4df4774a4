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
  description = "Prefix and expiry (days) of the GIF exports in the bucket."
  value       = { prefix = local.gif_prefix, expiration_days = local.gif_expiration_days }
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
  description = "Pull steps of every deployment (the wheel installs the code: no clone)."
  value       = local.pull_steps
}

output "job_env" {
  description = "Environment of every flow run: the Peloton package its container installs at start."
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
  description = "Non-secret PELOTON_* settings of flow runs (the secret ones come from the secret store)."
  value = { for k, v in {
    PELOTON_HOME                 = "/tmp/peloton"
    PELOTON_CATALOG__KIND        = "sql"
    PELOTON_CATALOG__NAME        = local.trino_values.catalog_name
    PELOTON_STORAGE__WAREHOUSE   = local.warehouse
    PELOTON_STORAGE__S3_ENDPOINT = local.storage.endpoint
    PELOTON_STORAGE__S3_REGION   = local.storage.region
    PELOTON_TRINO__HOST          = "trino.${local.names.namespace}.svc.cluster.local"
    PELOTON_TRINO__PORT          = "8080"
    PELOTON_SUPERSET__URL        = local.superset_url
  } : k => v if v != "" }
}
