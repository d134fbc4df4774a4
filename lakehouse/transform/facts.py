"""The stages' facts (kind, start, length, time limit, profile) as the transforms use them."""

from __future__ import annotations

from datetime import date

from pyiceberg.catalog import Catalog

from lakehouse.lake.staging_tables import STAGING_STAGES
from lakehouse.transform.results import StageFacts


def stage_facts(catalog: Catalog) -> dict[date, StageFacts]:
    rows = catalog.load_table(STAGING_STAGES.name).scan().to_arrow().to_pylist()
    return {
        r["stage_date"]: StageFacts(
            stage=r["stage"],
            stage_date=r["stage_date"],
            kind=r["kind"],
            start_at=r["start_at"],
            route_length_m=r["route_length_km"] * 1000.0,
            time_limit_pct=r["time_limit_pct"] or 0.0,
            profile=r["profile"] or "flat",
        )
        for r in rows
    }
