"""The refresh_dashboards flow: Superset's chart data cache refilled, after the transform.

Thin: the logic is in lakehouse.superset.refresh. Without a Superset in the deployment (no
admin password set) it logs that it skipped; a Superset that cannot be reached is a warning,
never a failed run: the marts are published already.
"""

from __future__ import annotations

from prefect import flow, get_run_logger

from lakehouse.settings import get_settings
from lakehouse.superset import refresh
from lakehouse.superset.warm import Warmed


@flow(name="refresh_dashboards", log_prints=True)
def refresh_dashboards() -> Warmed | None:
    """Refill the chart data cache of every dashboard chart for every stage."""
    logger = get_run_logger()
    return refresh.refresh_dashboards(get_settings(), logger.info, logger.warning)
