# Trino's catalogs and rules, rendered from the local server's templates (trino/catalog, trino/etc)
# by the rules of lakehouse/templates.py: `{{name}}` filled, a line whose placeholders are all
# empty left out. Secrets stay `${ENV:...}` references, filled from the pods' environment.
locals {
  placeholder = "\\{\\{\\s*\\w+\\s*\\}\\}"
  templates   = "${local.repo}/trino"

  s3_endpoint = var.cloud == "gcp" ? "https://storage.googleapis.com" : ""
  storage = {
    endpoint   = local.s3_endpoint
    path_style = local.s3_endpoint == "" ? "" : "true"
    # GCS's S3-compatible XML API signs with the region `auto`
    region = var.cloud == "gcp" ? "auto" : var.region
  }
  source_host = var.source_jdbc_host == "" ? var.postgres_host : var.source_jdbc_host
  ssl         = "sslmode=require"

  trino_values = {
    catalog_name     = "peloton"
    catalog_jdbc_url = "jdbc:postgresql://${var.postgres_host}:${var.postgres_port}/${local.databases.catalog}?${local.ssl}"
    catalog_user     = local.roles.catalog
    warehouse        = local.warehouse
    s3_endpoint      = local.storage.endpoint
    s3_path_style    = local.storage.path_style
    s3_region        = local.storage.region
    source_jdbc_url  = "jdbc:postgresql://${local.source_host}:${var.postgres_port}/${local.databases.source}?${local.ssl}"
    source_user      = local.roles.reader
  }

  # Iceberg catalog name -> access template, as lakehouse/trino/catalogs.py ICEBERG_CATALOGS
  iceberg_catalogs = { lakehouse = "read-only", lakehouse_rw = "read-write" }
  lakehouse_template = join("", [
    file("${local.templates}/catalog/lakehouse.properties"),
    file("${local.templates}/catalog/storage-s3.properties"),
  ])
  catalog_templates = merge(
    { for name, access in local.iceberg_catalogs : name => join("", [
      local.lakehouse_template,
      file("${local.templates}/catalog/access-${access}.properties"),
    ]) },
    { source = file("${local.templates}/catalog/source.properties") },
  )
  catalog_lines = {
    for name, text in local.catalog_templates : name => [
      for line in split("\n", trimsuffix(text, "\n")) : {
        line  = line
        names = [for p in regexall(local.placeholder, line) : trimspace(trim(p, "{}"))]
      }
    ]
  }
  trino_catalogs = {
    for name, lines in local.catalog_lines : name => "${join("\n", [
      for l in lines : join("", [
        for token in regexall("${local.placeholder}|[^{]+|\\{", l.line) :
        can(regex("^${local.placeholder}$", token)) ? local.trino_values[trimspace(trim(token, "{}"))] : token
      ]) if length(l.names) == 0 || anytrue([for n in l.names : local.trino_values[n] != ""])
    ])}\n"
  }

  trino_rules = jsondecode(file("${local.templates}/etc/rules.json"))
  trino_users = ["etl", "bi", "bot"]

  # the version the local server runs (lakehouse/trino/install.py TRINO_VERSION, read here)
  trino_version = one(regex("(?m)^TRINO_VERSION = \"([0-9]+)\"$",
  file("${local.repo}/lakehouse/trino/install.py")))

  # values of the official chart (https://trinodb.github.io/charts, chart trino 1.39)
  trino_chart = {
    image = { tag = local.trino_version }
    server = {
      workers = local.size.trino_workers
      autoscaling = {
        enabled                        = true
        maxReplicas                    = local.size.trino_workers_max
        targetCPUUtilizationPercentage = 70
      }
      config = {
        authenticationType = "PASSWORD"
        query              = { maxMemory = local.size.trino_query_max_memory }
      }
    }
    additionalConfigProperties = [
      "internal-communication.shared-secret=$${ENV:TRINO_SHARED_SECRET}",
      # TLS ends at the ingress: the forwarded protocol tells Trino the request was HTTPS,
      # so passwords are accepted from it and from nowhere else
      "http-server.process-forwarded=true",
    ]
    catalogs = local.trino_catalogs
    accessControl = {
      type          = "configmap"
      refreshPeriod = "60s"
      configFile    = "rules.json"
      rules         = { "rules.json" = jsonencode(local.trino_rules) }
    }
    auth = {
      # bcrypt entries for etl, bi and bot, given by the apps state from the secret store
      passwordAuthSecret = "trino-password-file"
    }
    envFrom = [{ secretRef = { name = local.names.trino_secret } }]
    coordinator = {
      jvm       = { maxHeapSize = local.size.trino_coordinator_heap }
      resources = { requests = { cpu = "500m", memory = "3Gi" } }
    }
    worker = {
      jvm = { maxHeapSize = local.size.trino_worker_heap }
      resources = {
        requests = { cpu = local.size.trino_worker_cpu, memory = local.size.trino_worker_memory }
        limits   = { memory = local.size.trino_worker_memory }
      }
    }
    ingress = {
      enabled   = true
      className = "nginx"
      hosts     = [{ host = var.trino_hostname, paths = [{ path = "/", pathType = "Prefix" }] }]
      tls       = [{ secretName = "trino-tls", hosts = [var.trino_hostname] }]
    }
  }
  trino_url = "https://${var.trino_hostname}"
}
