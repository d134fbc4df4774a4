"""Superset 6.1 configuration for Peloton: SQLite metadata, file-system caches, no Redis, no Celery.

Environment:
  SUPERSET_CONFIG_PATH  this file
  SUPERSET_SECRET_KEY   required: long random string (encrypts DB passwords in the metadata DB)
  SUPERSET_HOME_DIR     folder of the SQLite metadata DB (default: this file's folder)
"""

import os

_home = os.environ.get("SUPERSET_HOME_DIR", os.path.dirname(os.path.abspath(__file__)))
os.makedirs(_home, exist_ok=True)

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# absolute path: a relative sqlite path resolves against the server's cwd
SQLALCHEMY_DATABASE_URI = (
    "sqlite:///" + os.path.join(os.path.abspath(_home), "superset.db") + "?check_same_thread=false"
)

# Caches on the file system under SUPERSET_HOME_DIR/cache: shared by the gunicorn workers (an
# in-process cache would be per worker, so a filter state saved by one worker would be missing in
# the next and a chart's data cached by one would be queried again by the others) and kept across
# restarts. Chart data stays a day: the lakehouse changes when the pipeline runs, and
# `peloton superset warm` then drops the dashboard's cached data and fetches it again. In
# production, point these at Redis (CACHE_TYPE "RedisCache", CACHE_REDIS_URL).
_cache_dir = os.path.join(os.path.abspath(_home), "cache")


def _file_cache(prefix: str, timeout: int) -> dict[str, object]:
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": os.path.join(_cache_dir, prefix),
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_KEY_PREFIX": f"superset_{prefix}_",
        "CACHE_THRESHOLD": 100_000,
    }


CACHE_CONFIG = _file_cache("metadata", 300)
DATA_CACHE_CONFIG = _file_cache("data", 86_400)
FILTER_STATE_CACHE_CONFIG = _file_cache("filter", 86_400)
EXPLORE_FORM_DATA_CACHE_CONFIG = _file_cache("explore", 86_400)
THUMBNAIL_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
RATELIMIT_STORAGE_URI = "memory://"  # Flask-Limiter (login rate limit) without Redis

# deck.gl charts need no feature flag in 6.x (and no Mapbox key with OSM/tile:// base maps).
# every chart of a dashboard renders at once (the default renders only those on screen)
FEATURE_FLAGS: dict[str, bool] = {"DASHBOARD_VIRTUALIZATION": False}

# CSRF stays on for the web forms. The REST API with a JWT still needs an X-CSRFToken
# (from /api/v1/security/csrf_token/, with the session cookie it sets) on POST/PUT/DELETE,
# except for the exempt views: the defaults plus the two import endpoints used by
# assets-as-code scripts.
WTF_CSRF_ENABLED = True
WTF_CSRF_EXEMPT_LIST = [
    "superset.charts.data.api.data",  # default
    "superset.dashboards.api.cache_dashboard_screenshot",  # default
    "superset.views.core.explore_json",  # default
    "superset.views.core.log",  # default
    "superset.views.datasource.views.samples",  # default
    "superset.importexport.api.import_",  # POST /api/v1/assets/import/
    "superset.dashboards.api.import_",  # POST /api/v1/dashboard/import/
]

TALISMAN_ENABLED = False  # plain http on 127.0.0.1; the default CSP would also allow OSM tiles

# HTML in Markdown elements and Handlebars charts stays sanitized, with classes and inline styles
# allowed: the stage explorer's speed legend has coloured squares, its big numbers their sizes.
HTML_SANITIZATION_SCHEMA_EXTENSIONS = {"attributes": {"*": ["className", "style"]}}
