# Offline checks of the computed values: `terraform test` in this folder (no provider needed).

variables {
  cloud           = "aws"
  region          = "eu-west-1"
  bucket_suffix   = "123456789012"
  postgres_host   = "db.internal"
  peloton_package = "peloton @ https://releases.example.org/peloton-0.1.0-py3-none-any.whl#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}

run "names_derive_from_project_and_environment" {
  command = plan

  assert {
    condition     = output.names.bucket == "peloton-prod-warehouse-123456789012"
    error_message = "bucket name: ${output.names.bucket}"
  }
  assert {
    condition     = output.warehouse == "s3://peloton-prod-warehouse-123456789012/warehouse"
    error_message = "warehouse: ${output.warehouse}"
  }
  assert {
    condition     = output.names.cluster == "peloton-prod-k8s" && output.names.postgres == "peloton-prod-postgres"
    error_message = "cluster and postgres names"
  }
}

run "aws_catalogs_use_native_s3_without_endpoint" {
  command = plan

  assert {
    condition     = strcontains(output.trino_catalogs.lakehouse, "iceberg.jdbc-catalog.connection-url=jdbc:postgresql://db.internal:5432/iceberg?sslmode=require\n")
    error_message = output.trino_catalogs.lakehouse
  }
  assert {
    # an empty placeholder drops its line, as lakehouse/templates.py does
    condition     = !strcontains(output.trino_catalogs.lakehouse, "s3.endpoint") && !strcontains(output.trino_catalogs.lakehouse, "s3.path-style-access")
    error_message = output.trino_catalogs.lakehouse
  }
  assert {
    condition     = strcontains(output.trino_catalogs.lakehouse, "s3.region=eu-west-1\n")
    error_message = output.trino_catalogs.lakehouse
  }
  assert {
    condition     = strcontains(output.trino_catalogs.lakehouse, "iceberg.security=READ_ONLY") && strcontains(output.trino_catalogs.lakehouse_rw, "iceberg.security=ALLOW_ALL")
    error_message = "the readers' catalog must be read-only, the writer's read-write"
  }
  assert {
    # secrets stay environment references
    condition     = strcontains(output.trino_catalogs.source, "connection-password=$${ENV:PELOTON_TRINO_SOURCE_PASSWORD}") && strcontains(output.trino_catalogs.source, "connection-user=peloton_reader")
    error_message = output.trino_catalogs.source
  }
  assert {
    condition     = alltrue([for text in values(output.trino_catalogs) : !strcontains(text, "{{")])
    error_message = "a placeholder was left unfilled"
  }
}

run "gcp_reaches_gcs_through_its_s3_api" {
  command = plan
  variables {
    cloud  = "gcp"
    region = "europe-west1"
  }

  assert {
    condition     = strcontains(output.trino_catalogs.lakehouse, "s3.endpoint=https://storage.googleapis.com\ns3.path-style-access=true\ns3.region=auto\n")
    error_message = output.trino_catalogs.lakehouse
  }
  assert {
    condition     = output.settings_env.PELOTON_STORAGE__S3_ENDPOINT == "https://storage.googleapis.com"
    error_message = "flow runs must reach GCS through the same endpoint"
  }
}

run "small_and_medium_profiles" {
  command = plan

  assert {
    condition     = output.size.trino_workers == 1 && output.size.trino_workers_max == 2 && output.size.spot
    error_message = "small profile: ${jsonencode(output.size)}"
  }
  assert {
    condition     = output.trino_chart.server.workers == 1 && output.trino_chart.server.autoscaling.maxReplicas == 2 && output.trino_chart.server.autoscaling.enabled
    error_message = "chart workers: ${jsonencode(output.trino_chart.server)}"
  }
}

run "medium_profile_and_a_worker_bound" {
  command = plan
  variables {
    profile           = "medium"
    trino_workers_max = 10
  }

  assert {
    condition     = output.size.trino_workers == 2 && output.trino_chart.server.autoscaling.maxReplicas == 10 && output.size.postgres_high_avail
    error_message = "medium profile: ${jsonencode(output.size)}"
  }
}

run "trino_authenticates_and_shares_a_secret" {
  command = plan

  assert {
    condition     = output.trino_chart.server.config.authenticationType == "PASSWORD"
    error_message = "Trino must authenticate its users"
  }
  assert {
    condition     = contains(output.trino_chart.additionalConfigProperties, "internal-communication.shared-secret=$${ENV:TRINO_SHARED_SECRET}")
    error_message = "nodes must share a secret"
  }
  assert {
    condition     = strcontains(output.trino_chart.accessControl.rules["rules.json"], "\"user\":\"bi|bot\"")
    error_message = "the rules of trino/etc/rules.json"
  }
  assert {
    condition     = length(output.trino_chart.ingress.tls) == 1
    error_message = "Trino is served over TLS"
  }
}

run "superset_keeps_the_local_config_then_the_clouds" {
  command = plan

  assert {
    condition     = strcontains(output.superset_chart.configOverrides["10-peloton"], "HTML_SANITIZATION_SCHEMA_EXTENSIONS")
    error_message = "superset_config.py must be the first override"
  }
  assert {
    condition     = strcontains(output.superset_chart.configOverrides["20-cloud"], "SQLALCHEMY_DATABASE_URI")
    error_message = "the cloud override must point the metadata at PostgreSQL"
  }
  assert {
    # security headers on behind TLS (superset_config.py turns them off for local http)
    condition     = strcontains(output.superset_chart.configOverrides["20-cloud"], "\nTALISMAN_ENABLED = True\n") && strcontains(output.superset_chart.configOverrides["10-peloton"], "TALISMAN_ENABLED = False")
    error_message = output.superset_chart.configOverrides["20-cloud"]
  }
  assert {
    condition     = strcontains(output.superset_chart.bootstrapScript, "trino[sqlalchemy]==")
    error_message = output.superset_chart.bootstrapScript
  }
  assert {
    condition     = !output.superset_chart.postgresql.enabled && output.superset_chart.supersetNode.connections.db_name == "superset"
    error_message = "Superset uses the managed PostgreSQL"
  }
}

run "deployments_come_from_prefect_yaml" {
  command = plan

  assert {
    condition     = output.deployments["nightly"].entrypoint == "flows.nightly:nightly" && output.deployments["nightly"].flow_name == "nightly"
    error_message = jsonencode(output.deployments["nightly"])
  }
  assert {
    condition     = output.schedules["nightly/0"].cron == "0 3 * * *" && output.schedules["nightly/0"].timezone == "Europe/Paris" && output.schedules["nightly/0"].interval == null && output.schedules["nightly/0"].active
    error_message = jsonencode(output.schedules)
  }
  assert {
    # upkeep's own schedule is deployed off (the nightly pipeline runs upkeep as its last step)
    condition     = keys(output.schedules) == ["nightly/0", "upkeep/0"] && !output.schedules["upkeep/0"].active
    error_message = jsonencode(output.schedules)
  }
  assert {
    # the pull step installs the wheel (Prefect pip-installs a step's `requires` first)
    condition     = output.pull_steps[0].type == "set_working_directory" && output.pull_steps[0].requires == var.peloton_package
    error_message = jsonencode(output.pull_steps)
  }
  assert {
    # then the file sources, from the bucket's sources/ prefix into the sources folder
    condition     = output.pull_steps[1].type == "pull_from_s3" && output.pull_steps[1].bucket == output.names.bucket && output.pull_steps[1].folder == "sources" && output.pull_steps[0].directory == output.settings_env.PELOTON_FILES__SOURCES_DIR
    error_message = jsonencode(output.pull_steps)
  }
  assert {
    # the sources folder exists before the step changes into it: an emptyDir volume
    condition     = output.base_job_template.job_configuration.job_manifest.spec.template.spec.containers[0].volumeMounts[0].mountPath == output.sources.dir
    error_message = "the sources folder must be mounted"
  }
  assert {
    condition     = output.job_env == { UV_SYSTEM_PYTHON = "1" }
    error_message = jsonencode(output.job_env)
  }
  assert {
    # prefect.yaml: nightly runs one at a time, a run due meanwhile waits
    condition     = output.deployments["nightly"].concurrency_limit == 1 && output.deployments["nightly"].collision_strategy == "ENQUEUE" && output.deployments["upkeep"].concurrency_limit == null
    error_message = jsonencode(output.deployments["nightly"])
  }
  assert {
    # the worker runs the Prefect of prefect.yaml, as the flow runs do
    condition     = "prefecthq/prefect:${output.prefect_worker_chart.worker.image.prefectTag}" == output.base_job_template.variables.properties.image.default
    error_message = output.prefect_worker_chart.worker.image.prefectTag
  }
  assert {
    condition     = output.base_job_template.job_configuration.job_manifest.spec.template.spec.containers[0].envFrom[0].secretRef.name == "peloton-settings"
    error_message = "flow runs read the settings secret"
  }
}

run "a_package_index_is_a_variable" {
  command = plan
  variables {
    peloton_package = "peloton==0.2.0"
    pip_index_url   = "https://pypi.example.org/simple"
  }

  assert {
    condition     = output.pull_steps[0].requires == "peloton==0.2.0" && output.job_env.PIP_INDEX_URL == "https://pypi.example.org/simple" && output.job_env.UV_INDEX_URL == "https://pypi.example.org/simple"
    error_message = jsonencode(output.job_env)
  }
}

run "a_version_without_a_private_index_is_refused" {
  # public PyPI's `peloton` is another project
  command = plan
  variables {
    peloton_package = "peloton==0.1.0"
  }
  expect_failures = [output.pull_steps]
}

run "an_unpinned_wheel_url_is_refused" {
  command = plan
  variables {
    peloton_package = "peloton @ https://releases.example.org/peloton-0.1.0-py3-none-any.whl"
  }
  expect_failures = [var.peloton_package]
}

run "flow_runs_reach_trino_over_https_as_etl" {
  command = plan
  variables {
    trino_hostname = "trino.race.example"
    gifs_hostname  = "gifs.race.example"
    extra_settings = { PELOTON_UPKEEP__SNAPSHOTS_KEPT = "3" }
  }

  assert {
    condition     = output.settings_env.PELOTON_TRINO__HOST == "trino.race.example" && output.settings_env.PELOTON_TRINO__PORT == "443" && output.settings_env.PELOTON_TRINO__HTTP_SCHEME == "https" && output.settings_env.PELOTON_TRINO__USER == "etl"
    error_message = jsonencode(output.settings_env)
  }
  assert {
    condition     = output.settings_env.PELOTON_GIFS__PUBLIC_URL == "https://gifs.race.example" && output.settings_env.PELOTON_UPKEEP__SNAPSHOTS_KEPT == "3"
    error_message = jsonencode(output.settings_env)
  }
}

run "extra_settings_are_only_peloton_parts_settings" {
  command = plan
  variables {
    extra_settings = { PELOTON_CATALOG__URI = "postgresql://elsewhere" }
  }
  expect_failures = [var.extra_settings]
}

run "gif_lifecycle_keeps_current_exports" {
  command = plan

  assert {
    # under the warehouse prefix, where lakehouse/gifs/exports.py writes them
    condition     = output.gif_lifecycle.prefix == "warehouse/exports/gifs/" && startswith(output.warehouse, "s3://${output.names.bucket}/warehouse")
    error_message = jsonencode(output.gif_lifecycle)
  }
  assert {
    condition     = output.gif_lifecycle.noncurrent_days > 0 && output.gif_lifecycle.abort_incomplete_days > 0 && !contains(keys(output.gif_lifecycle), "expiration_days")
    error_message = jsonencode(output.gif_lifecycle)
  }
}

run "views_are_hashed_and_trino_runs_the_local_version" {
  command = plan

  assert {
    condition     = contains(output.views.files, "80_flyby_exports.sql") && length(output.views.hash) == 64
    error_message = jsonencode(output.views)
  }
  assert {
    condition     = output.trino_chart.image.tag == output.trino_version && can(tonumber(output.trino_version))
    error_message = output.trino_version
  }
}

run "bad_profile_is_refused" {
  command = plan
  variables {
    profile = "large"
  }
  expect_failures = [var.profile]
}
