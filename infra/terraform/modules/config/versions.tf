# Provider-free: every computed value of the deployment (names, sizes, Trino's catalogs, chart
# values, Prefect deployments), so `terraform test` checks them offline.
terraform {
  required_version = ">= 1.7"
}
