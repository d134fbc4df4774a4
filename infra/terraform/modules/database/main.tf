# The databases and roles on the managed PostgreSQL, made from inside the cluster (the instance
# has a private address only) by a job that runs psql as the administrator: the Iceberg
# catalog's owner, Superset's, and the read-only reader extraction and Trino's source use.
terraform {
  required_version = ">= 1.9"
  required_providers {
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
  }
}

variable "namespace" {
  description = "Namespace of the job."
  type        = string
}

variable "host" {
  description = "The managed PostgreSQL's private host."
  type        = string
}

variable "databases" {
  description = "Databases by use (config module: databases)."
  type        = map(string)
}

variable "roles" {
  description = "Roles by use (config module: roles)."
  type        = map(string)
}

variable "passwords" {
  description = "Passwords of admin, catalog, superset and reader, from the secret store."
  type        = map(string)
  sensitive   = true
}

resource "kubernetes_secret_v1" "roles" {
  metadata {
    name      = "postgres-roles"
    namespace = var.namespace
  }
  data = {
    PGPASSWORD        = var.passwords["admin"]
    CATALOG_PASSWORD  = var.passwords["catalog"]
    SUPERSET_PASSWORD = var.passwords["superset"]
    READER_PASSWORD   = var.passwords["reader"]
  }
}

locals {
  # idempotent: roles altered when they exist, databases created when missing; the reader gets
  # SELECT on the source's schemas, now and later
  script = <<-SH
    set -eu
    role() { psql -v ON_ERROR_STOP=1 -d postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN CREATE ROLE $1 LOGIN; END IF; END \$\$;" -c "ALTER ROLE $1 PASSWORD '$2'"; }
    db() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 || psql -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $1 OWNER $2"; }
    role ${var.roles["catalog"]} "$CATALOG_PASSWORD"
    role ${var.roles["superset"]} "$SUPERSET_PASSWORD"
    role ${var.roles["reader"]} "$READER_PASSWORD"
    psql -v ON_ERROR_STOP=1 -d postgres -c "GRANT ${var.roles["catalog"]}, ${var.roles["superset"]} TO CURRENT_USER"
    db ${var.databases["catalog"]} ${var.roles["catalog"]}
    db ${var.databases["superset"]} ${var.roles["superset"]}
    db ${var.databases["source"]} ${var.roles["admin"]}
    psql -v ON_ERROR_STOP=1 -d ${var.databases["catalog"]} -c "ALTER SCHEMA public OWNER TO ${var.roles["catalog"]}"
    psql -v ON_ERROR_STOP=1 -d ${var.databases["source"]} \
      -c "GRANT CONNECT ON DATABASE ${var.databases["source"]} TO ${var.roles["reader"]}" \
      -c "ALTER ROLE ${var.roles["reader"]} SET default_transaction_read_only = on" \
      -c "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO ${var.roles["reader"]}" \
      -c "ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO ${var.roles["reader"]}"
  SH
}

resource "kubernetes_job_v1" "roles" {
  metadata {
    name      = "postgres-roles"
    namespace = var.namespace
  }
  spec {
    backoff_limit = 3
    template {
      metadata {}
      spec {
        restart_policy = "Never"
        container {
          name    = "psql"
          image   = "postgres:17-alpine"
          command = ["sh", "-c", local.script]
          env {
            name  = "PGHOST"
            value = var.host
          }
          env {
            name  = "PGUSER"
            value = var.roles["admin"]
          }
          env {
            name  = "PGSSLMODE"
            value = "require"
          }
          env_from {
            secret_ref {
              name = kubernetes_secret_v1.roles.metadata[0].name
            }
          }
          security_context {
            run_as_non_root            = true
            run_as_user                = 70
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            capabilities {
              drop = ["ALL"]
            }
          }
        }
      }
    }
  }
  wait_for_completion = true
  timeouts {
    create = "5m"
  }
}
