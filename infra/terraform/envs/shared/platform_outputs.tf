# Outputs of every platform root (linked into each envs/<cloud>/platform/), read by its apps root.

output "cluster_name" {
  description = "The cluster's name (aws eks update-kubeconfig or gcloud container clusters get-credentials)."
  value       = module.kubernetes.cluster_name
}

output "cluster_endpoint" {
  description = "The Kubernetes API's URL."
  value       = module.kubernetes.endpoint
}

output "cluster_ca_certificate" {
  description = "The cluster's CA certificate (base64)."
  value       = module.kubernetes.ca_certificate
}

output "postgres_host" {
  description = "The managed PostgreSQL's private host."
  value       = module.postgres.host
}

output "warehouse_uri" {
  description = "PELOTON_STORAGE__WAREHOUSE."
  value       = module.object_store.warehouse_uri
}

output "bucket" {
  description = "The warehouse bucket (GIF exports under exports/gifs/)."
  value       = module.object_store.bucket
}

output "secret_names" {
  description = "The secret store's names of the platform's secrets, by key."
  value       = module.secrets.names
}
