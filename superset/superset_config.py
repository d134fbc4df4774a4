"""Superset 6.1 configuration for Peloton: one process, SQLite metadata, no Redis, no Celery.

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

# In-process caches only (per gunicorn worker); the thumbnail cache is off.
_simple = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
CACHE_CONFIG = {**_simple, "CACHE_KEY_PREFIX": "superset_"}
DATA_CACHE_CONFIG = {**_simple, "CACHE_KEY_PREFIX": "superset_data_"}
FILTER_STATE_CACHE_CONFIG = {**_simple, "CACHE_KEY_PREFIX": "superset_filter_"}
EXPLORE_FORM_DATA_CACHE_CONFIG = {**_simple, "CACHE_KEY_PREFIX": "superset_explore_"}
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
