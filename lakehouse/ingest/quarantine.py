"""`raw.quarantine`: the rows a source gave that could not land, with where they were and why.

Each source part (a file, a sheet, a telemetry day) owns its quarantine rows: landing the part
again replaces them, so the quarantine always describes the version of the part last landed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pyarrow as pa
from pyiceberg.catalog import Catalog

from lakehouse.lake.commits import ensure_table, lineage, now, replace
from lakehouse.lake.raw_tables import QUARANTINE
from lakehouse.lake.readers import count


class Rejection(Protocol):
    @property
    def location(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def payload(self) -> str: ...


def quarantine_filter(label: str) -> str:
    """The quarantine rows of one source part."""
    return "_source == '" + label.replace("'", "''") + "'"


def replace_quarantine(
    catalog: Catalog,
    source_kind: str,
    label: str,
    rejected: Sequence[Rejection],
    fingerprint: str,
    batch_id: str,
) -> None:
    """Replace the part's quarantined rows; no commit when it had none and has none."""
    table = ensure_table(catalog, QUARANTINE)
    where = quarantine_filter(label)
    if not rejected and count(table, where) == 0:
        return
    n = len(rejected)
    schema = QUARANTINE.schema().as_arrow()
    arrays = [
        pa.array([source_kind] * n, pa.string()),
        pa.array([r.location for r in rejected], pa.string()),
        pa.array([r.reason for r in rejected], pa.string()),
        pa.array([r.payload for r in rejected], pa.string()),
        *lineage(n, label, batch_id, now()),
    ]
    data = pa.Table.from_arrays(arrays, schema=schema)
    replace(table, data, where, f"quarantine:{label}", fingerprint, batch_id)
