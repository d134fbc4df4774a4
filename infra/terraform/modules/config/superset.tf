# Values of the official Superset chart (https://apache.github.io/superset, chart superset 0.15):
# the local server's superset_config.py as a config override, then the cloud's own settings
# (PostgreSQL metadata from the chart's DB_* variables, Redis caches, behind a TLS ingress).
locals {
  superset_dir = "${local.repo}/superset"
  # the Trino driver pinned by superset/requirements.txt, the version the dashboards were tested with
  trino_driver = one([
    for line in split("\n", file("${local.superset_dir}/requirements.txt")) :
    trimspace(line) if startswith(trimspace(line), "trino")
  ])

  superset_cloud_config = <<-PY
    # the cloud's settings, after superset_config.py: metadata in PostgreSQL, caches in Redis
    import os
    SQLALCHEMY_DATABASE_URI = (
        f"postgresql+psycopg2://{os.environ['DB_USER']}:{os.environ['DB_PASS']}"
        f"@{os.environ['DB_HOST']}:{os.environ['DB_PORT']}/{os.environ['DB_NAME']}?sslmode=require"
    )
    _redis = f"redis://{os.environ['REDIS_HOST']}:{os.environ['REDIS_PORT']}"
    for _name, _config in (
        ("CACHE_CONFIG", CACHE_CONFIG),
        ("DATA_CACHE_CONFIG", DATA_CACHE_CONFIG),
        ("FILTER_STATE_CACHE_CONFIG", FILTER_STATE_CACHE_CONFIG),
        ("EXPLORE_FORM_DATA_CACHE_CONFIG", EXPLORE_FORM_DATA_CACHE_CONFIG),
    ):
        globals()[_name] = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": f"{_redis}/1",
            "CACHE_DEFAULT_TIMEOUT": _config["CACHE_DEFAULT_TIMEOUT"],
            "CACHE_KEY_PREFIX": _config["CACHE_KEY_PREFIX"],
        }
    RATELIMIT_STORAGE_URI = f"{_redis}/2"
    ENABLE_PROXY_FIX = True  # TLS ends at the ingress
    SESSION_COOKIE_SECURE = True
    # behind TLS: Talisman's security headers (CSP, HSTS, frame options) with Superset's
    # default TALISMAN_CONFIG, off only on the local plain-http server
    TALISMAN_ENABLED = True
  PY

  superset_chart = {
    bootstrapScript = "#!/bin/bash\npip install --no-cache-dir '${local.trino_driver}' psycopg2-binary\n"
    configOverrides = {
      "10-peloton" = file("${local.superset_dir}/superset_config.py")
      "20-cloud"   = local.superset_cloud_config
    }
    extraEnv = {
      SUPERSET_HOME_DIR    = "/tmp/superset"
      SERVER_WORKER_AMOUNT = tostring(local.size.superset_workers)
    }
    postgresql = { enabled = false }
    supersetNode = {
      replicas = { replicaCount = 1 }
      connections = {
        db_host = var.postgres_host
        db_port = tostring(var.postgres_port)
        db_user = local.roles.superset
        db_name = local.databases.superset
      }
    }
    init = { loadExamples = false }
    ingress = {
      enabled          = true
      ingressClassName = "nginx"
      hosts            = [var.superset_hostname]
      path             = "/"
      tls              = [{ secretName = "superset-tls", hosts = [var.superset_hostname] }]
    }
  }
  superset_url = "https://${var.superset_hostname}"
}
