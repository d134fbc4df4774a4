# Prefect: the deployments of prefect.yaml (one source: read here, not copied), run by a
# Kubernetes work pool whose flow runs install Peloton's wheel at start and read the PELOTON_*
# settings from the settings secret.
locals {
  prefect_yaml = yamldecode(file("${local.repo}/prefect.yaml"))

  # flows/ingest.py:ingest -> module flows.ingest, function ingest: the wheel ships `flows`
  deployments = {
    for d in local.prefect_yaml.deployments : d.name => {
      name        = d.name
      description = try(d.description, "")
      flow_name   = split(":", d.entrypoint)[1]
      entrypoint  = "${replace(trimsuffix(split(":", d.entrypoint)[0], ".py"), "/", ".")}:${split(":", d.entrypoint)[1]}"
      parameters  = try(d.parameters, {})
      work_queue  = try(d.work_pool.work_queue_name, "default")
      # prefect.yaml's concurrency_limit: a number, or {limit, collision_strategy}
      concurrency_limit  = try(tonumber(d.concurrency_limit), tonumber(d.concurrency_limit.limit), null)
      collision_strategy = try(d.concurrency_limit.collision_strategy, null)
      # a schedule is a cron, an interval (seconds) or an RRule, as in prefect.yaml
      schedules = [
        for s in coalesce(try(d.schedules, null), []) : {
          cron     = try(s.cron, null)
          interval = try(s.interval, null)
          rrule    = try(s.rrule, null)
          timezone = try(s.timezone, "UTC")
          active   = try(s.active, true)
        }
      ]
    }
  }
  schedules = merge([
    for name, d in local.deployments : {
      for i, s in d.schedules : "${name}/${i}" => merge(s, {
        deployment = name
        interval   = s.interval == null ? null : tonumber(s.interval)
        active     = tobool(s.active)
      })
    }
  ]...)
  flow_names = toset([for d in local.deployments : d.flow_name])

  # A flow run installs Peloton's wheel in its pull step: Prefect pip-installs a step's
  # `requires` before it runs the step (the requirement names no importable module, so it is
  # installed on every run), from peloton_package: a pinned wheel URL, or a version on the
  # private index pip_index_url. No custom image: Prefect's own, at the version of prefect.yaml.
  job_env = { for k, v in {
    PIP_INDEX_URL    = var.pip_index_url
    UV_INDEX_URL     = var.pip_index_url
    UV_SYSTEM_PYTHON = "1"
  } : k => v if v != "" }
  # Then the file sources (stage CSVs, the athletes sheet's export) are copied from the bucket's
  # sources/ prefix into the working folder, PELOTON_FILES__SOURCES_DIR (prefect-aws's
  # pull_from_s3, with the storage keys of the aws-credentials block; GCS through its S3 API).
  sources = {
    prefix = "sources"
    dir    = "/tmp/sources"
  }
  pull_steps = [
    {
      # the folder is an emptyDir volume of the job (base_job_template), so it exists
      type      = "set_working_directory"
      directory = local.sources.dir
      requires  = var.peloton_package
    },
    {
      type        = "pull_from_s3"
      requires    = "prefect-aws"
      bucket      = local.names.bucket
      folder      = local.sources.prefix
      credentials = "{{ prefect.blocks.aws-credentials.${local.names.storage_block} }}"
    },
  ]

  # the Kubernetes work pool's base job template: Prefect's image, the settings secret as env
  flow_image = "prefecthq/prefect:${local.prefect_yaml["prefect-version"]}-python3.12"
  base_job_template = {
    job_configuration = {
      command   = "{{ command }}"
      env       = "{{ env }}"
      labels    = "{{ labels }}"
      name      = "{{ name }}"
      namespace = local.names.namespace
      job_manifest = {
        apiVersion = "batch/v1"
        kind       = "Job"
        metadata = {
          generateName = "{{ name }}-"
          labels       = "{{ labels }}"
          namespace    = local.names.namespace
        }
        spec = {
          backoffLimit            = 0
          ttlSecondsAfterFinished = 86400
          template = {
            spec = {
              restartPolicy = "Never"
              volumes       = [{ name = "sources", emptyDir = {} }]
              containers = [{
                name         = "prefect-job"
                image        = "{{ image }}"
                args         = "{{ command }}"
                env          = "{{ env }}"
                envFrom      = [{ secretRef = { name = local.names.settings_secret } }]
                volumeMounts = [{ name = "sources", mountPath = local.sources.dir }]
                resources    = { requests = { cpu = "1", memory = "2Gi" }, limits = { memory = "4Gi" } }
                # root in the container: Prefect's image installs EXTRA_PIP_PACKAGES system-wide
                securityContext = { allowPrivilegeEscalation = false }
              }]
            }
          }
        }
      }
      stream_output             = true
      job_watch_timeout_seconds = null
      pod_watch_timeout_seconds = 300
      cluster_config            = null
    }
    variables = {
      type = "object"
      properties = {
        name    = { type = "string", title = "Name", default = null }
        image   = { type = "string", title = "Image", default = local.flow_image }
        command = { type = "string", title = "Command", default = null }
        env     = { type = "object", title = "Environment", default = {}, additionalProperties = { type = "string" } }
        labels  = { type = "object", title = "Labels", default = {}, additionalProperties = { type = "string" } }
      }
    }
  }

  # values of the prefect-worker chart (https://prefecthq.github.io/prefect-helm, chart 2025.x)
  prefect_worker_chart = {
    worker = {
      image     = { prefectTag = split(":", local.flow_image)[1] }
      apiConfig = "cloud"
      config = {
        workPool = local.names.work_pool
        type     = "kubernetes"
      }
      cloudApiConfig = {
        # the API key is the Kubernetes secret the apps state creates
        cloudUrl = "https://api.prefect.cloud/api"
        apiKeySecret = {
          name = "prefect-api-key"
          key  = "key"
        }
      }
      resources = {
        requests = { cpu = "100m", memory = "256Mi" }
        limits   = { memory = "1Gi" }
      }
    }
  }
}
