"""After the marts change: the dashboards' chart data cache refilled, when Superset is set up.

The pipeline's last step. It runs only when Superset's admin password is set, or the embedded
demo's is stored under PELOTON_HOME (Superset is part of this deployment); a Superset that cannot
be reached or a chart that fails is reported as a warning, and the data already landed stays
landed: `peloton superset warm` repeats the step. A Superset whose dashboard is not imported yet
(the demo imports it after its first pipeline run) is told, not warned about.
"""

from __future__ import annotations

from collections.abc import Callable

from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.superset.api import SupersetApi
from lakehouse.superset.check import DASHBOARD
from lakehouse.superset.secrets import with_stored_secrets
from lakehouse.superset.warm import Warmed, warm_dashboard


def refresh_dashboards(
    settings: Settings,
    info: Callable[[str], None],
    warning: Callable[[str], None],
    dashboard: str = DASHBOARD,
) -> Warmed | None:
    """Warm every dashboard chart for every stage; None when skipped or Superset is unreachable."""
    settings = with_stored_secrets(settings)
    url = settings.superset.url
    if settings.superset.admin_password is None:
        info(
            "Superset's cache not refreshed: PELOTON_SUPERSET__ADMIN_PASSWORD is not set "
            "(no Superset in this deployment)"
        )
        return None
    try:
        api = SupersetApi(settings)
    except PelotonError as exc:
        warning(f"Superset's cache not refreshed: {exc}; run `peloton superset warm` later")
        return None
    try:
        if not api.exists(f"/api/v1/dashboard/{dashboard}"):
            info(
                f"Superset's cache not refreshed: no dashboard {dashboard!r} at {url} yet "
                "(`peloton superset import`, then `peloton superset warm`)"
            )
            return None
        warmed = warm_dashboard(api, dashboard)
    except PelotonError as exc:
        warning(f"Superset's cache not refreshed at {url}: {exc}")
        return None
    finally:
        api.close()
    for error in warmed.failed:
        warning(f"Superset chart not refreshed: {error}")
    info(f"Superset's cache refreshed: {warmed.describe()}")
    return warmed
