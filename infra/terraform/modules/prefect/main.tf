# Prefect: a Kubernetes work pool, the flows and deployments of prefect.yaml with their
# schedules (config module), the worker on the prefect-worker chart, and the settings secret
# every flow run reads its PELOTON_* variables from.
terraform {
  required_version = ">= 1.9"
  required_providers {
    helm       = { source = "hashicorp/helm", version = ">= 2.17, < 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.36, < 3.0" }
    prefect    = { source = "prefecthq/prefect", version = ">= 2.92, < 3.0" }
  }
}

variable "namespace" {
  description = "Namespace of the worker and the flow runs."
  type        = string
}

variable "work_pool" {
  description = "Work pool name (config module: names.work_pool)."
  type        = string
}

variable "base_job_template" {
  description = "The work pool's base job template (config module: base_job_template)."
  type        = any
}

variable "deployments" {
  description = "Deployments (config module: deployments)."
  type        = any
}

variable "schedules" {
  description = "Schedules keyed deployment/index (config module: schedules)."
  type        = any
}

variable "flow_names" {
  description = "Flow names (config module: flow_names)."
  type        = set(string)
}

variable "pull_steps" {
  description = "Pull steps of every deployment (config module: pull_steps)."
  type        = any
}

variable "job_env" {
  description = "Environment of every flow run (config module: job_env)."
  type        = map(string)
}

variable "worker_chart_values" {
  description = "Values of the prefect-worker chart (config module: prefect_worker_chart)."
  type        = any
}

variable "settings_secret" {
  description = "Name of the settings secret (config module: names.settings_secret)."
  type        = string
}

variable "settings" {
  description = "Every PELOTON_* variable of flow runs, secret ones included (from the secret store)."
  type        = map(string)
  sensitive   = true
}

variable "alert_block" {
  description = "Name of the custom-webhook block the pipeline's alerts go through (config module: names.alert_block); empty: none."
  type        = string
}

variable "alert_webhook_url" {
  description = "URL the alert block posts to."
  type        = string
  sensitive   = true
}

variable "storage_block" {
  description = "Name of the aws-credentials block the sources pull step reads the bucket with (config module: names.storage_block)."
  type        = string
}

variable "storage" {
  description = "access_key_id, secret_access_key, region and endpoint (empty on AWS) of the warehouse bucket."
  type        = map(string)
  sensitive   = true
}

variable "account_id" {
  description = "Prefect Cloud account id."
  type        = string
}

variable "workspace_id" {
  description = "Prefect Cloud workspace id."
  type        = string
}

variable "api_key" {
  description = "Prefect Cloud API key of the worker (a service account's)."
  type        = string
  sensitive   = true
}

resource "kubernetes_secret_v1" "settings" {
  metadata {
    name      = var.settings_secret
    namespace = var.namespace
  }
  # an empty value is an unset setting
  data = { for k, v in var.settings : k => v if v != "" }
}

resource "kubernetes_secret_v1" "api_key" {
  metadata {
    name      = var.worker_chart_values.worker.cloudApiConfig.apiKeySecret.name
    namespace = var.namespace
  }
  data = {
    (var.worker_chart_values.worker.cloudApiConfig.apiKeySecret.key) = var.api_key
  }
}

resource "prefect_work_pool" "this" {
  name              = var.work_pool
  type              = "kubernetes"
  paused            = false
  base_job_template = jsonencode(var.base_job_template)
}

resource "prefect_flow" "this" {
  for_each = var.flow_names
  name     = each.key
}

resource "prefect_deployment" "this" {
  for_each        = var.deployments
  name            = each.value.name
  description     = each.value.description
  flow_id         = prefect_flow.this[each.value.flow_name].id
  entrypoint      = each.value.entrypoint
  work_pool_name  = prefect_work_pool.this.name
  work_queue_name = each.value.work_queue
  parameters      = jsonencode(each.value.parameters)
  job_variables   = jsonencode({ env = var.job_env })
  pull_steps      = var.pull_steps
  # prefect.yaml's concurrency_limit (nightly: one run at a time, the next one enqueued)
  concurrency_limit   = each.value.concurrency_limit
  concurrency_options = each.value.collision_strategy == null ? null : { collision_strategy = each.value.collision_strategy }
}

resource "prefect_deployment_schedule" "this" {
  for_each      = var.schedules
  deployment_id = prefect_deployment.this[each.value.deployment].id
  active        = each.value.active
  cron          = each.value.cron
  interval      = each.value.interval
  rrule         = each.value.rrule
  timezone      = each.value.timezone
}

# the notification block PELOTON_ALERTS__BLOCK names (custom-webhook/<name>): a JSON post
# whose `text` is the alert, as Slack's and Mattermost's incoming webhooks read it
resource "prefect_block" "alerts" {
  count     = var.alert_block == "" ? 0 : 1
  name      = var.alert_block
  type_slug = "custom-webhook"
  data = jsonencode({
    name      = var.alert_block
    url       = var.alert_webhook_url
    method    = "POST"
    json_data = { text = "{{subject}}\n{{body}}" }
    timeout   = 10
  })
}

# the storage keys the sources pull step (prefect-aws pull_from_s3) signs with
resource "prefect_block" "storage" {
  name      = var.storage_block
  type_slug = "aws-credentials"
  data = jsonencode({
    aws_access_key_id     = var.storage["access_key_id"]
    aws_secret_access_key = var.storage["secret_access_key"]
    region_name           = var.storage["region"]
    aws_client_parameters = var.storage["endpoint"] == "" ? {} : { endpoint_url = var.storage["endpoint"] }
  })
}

resource "helm_release" "worker" {
  name       = "prefect-worker"
  repository = "https://prefecthq.github.io/prefect-helm"
  chart      = "prefect-worker"
  version    = "2025.5.8171401"
  namespace  = var.namespace
  values = [yamlencode(merge(var.worker_chart_values, {
    worker = merge(var.worker_chart_values.worker, {
      cloudApiConfig = merge(var.worker_chart_values.worker.cloudApiConfig, {
        accountId   = var.account_id
        workspaceId = var.workspace_id
      })
    })
  }))]
  depends_on = [kubernetes_secret_v1.api_key, prefect_work_pool.this, prefect_block.storage]
}

output "settings_secret" {
  description = "Name of the settings secret (made here): jobs and servers read it too."
  value       = kubernetes_secret_v1.settings.metadata[0].name
}
