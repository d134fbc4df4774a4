"""The upkeep flow: compaction, snapshot expiry, dead runs' branches, statistics, orphan files.

Thin: the logic is in lakehouse.upkeep. One task per table, one after the other; each logs
what its steps did and the table's figures before and after, and the flow publishes them as a
table artifact `upkeep-report`. The steps take the run lock where they must
(lakehouse.upkeep.maintain).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from lakehouse.settings import get_settings
from lakehouse.upkeep.maintain import Options, maintain


@task(cache_policy=NO_CACHE)
def upkeep_table(name: str, dry_run: bool) -> dict[str, Any]:
    logger = get_run_logger()
    (report,) = maintain(get_settings(), Options((name,), dry_run), logger.info)
    for step, done in report.steps.items():
        logger.info("%s: %s: %s", name, step, done)
    return report.as_dict()


@task(cache_policy=NO_CACHE)
def tables(only: list[str] | None) -> list[str]:
    from lakehouse.catalog import open_catalog
    from lakehouse.upkeep.maintain import table_names

    return list(only) if only else table_names(open_catalog(get_settings()))


@flow(name="upkeep", log_prints=True)
def upkeep(only: list[str] | None = None, dry_run: bool = False) -> list[dict[str, Any]]:
    """Upkeep of every lakehouse table (or of `only`); `dry_run` changes nothing."""
    reports = [upkeep_table(name, dry_run) for name in tables(only)]
    rows = []
    for report in reports:
        before, after = report["before"], report["after"] or report["before"]
        rows.append(
            {"table": report["table"]}
            | {f"{k} before": v for k, v in before.items()}
            | {f"{k} after": after[k] for k in before}
        )
    create_table_artifact(key="upkeep-report", table=rows, description="Upkeep per table")
    return reports
