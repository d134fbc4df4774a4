"""Prefect's environment for local runs: state under PELOTON_HOME, no telemetry sent.

With no PREFECT_API_URL set, flows run on Prefect's ephemeral local API (no server to start);
with PREFECT_API_URL (a Prefect server or Prefect Cloud), the same flows report there.
"""

from __future__ import annotations

import os

from lakehouse.settings import Settings


def configure_prefect(settings: Settings) -> None:
    """Set Prefect's defaults before it is imported; the user's own PREFECT_* values win."""
    os.environ.setdefault("PREFECT_HOME", str(settings.home_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    # the ephemeral API's first start (its database migrations) outlasts Prefect's 20 s default
    # on a busy two-core machine: wait longer rather than fail the run
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
