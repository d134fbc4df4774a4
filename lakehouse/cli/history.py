"""`peloton tables --history TABLE`: a table's snapshots, tags, times and summaries."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lakehouse.cli.app import console, new_table
from lakehouse.errors import PelotonError

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

SHOWN_KEYS = ("added-data-files", "deleted-data-files", "total-records", "total-data-files")


def show_history(catalog: Catalog, name: str, json_output: bool) -> None:
    from pyiceberg.exceptions import NoSuchTableError

    from lakehouse.lake.history import history

    try:
        table = catalog.load_table(name)
    except NoSuchTableError:
        raise PelotonError(
            f"no table {name} in the lakehouse (`peloton tables` lists them)"
        ) from None
    rows = history(table)
    if json_output:
        print(json.dumps(rows, indent=2))
        return
    view = new_table(title=f"{name}: {len(rows)} snapshots, newest first")
    for column in ("snapshot", "committed at", "operation", "refs", "summary"):
        view.add_column(column)
    for row in rows:
        summary = row["summary"]
        shown = {k: v for k, v in summary.items() if k.startswith("peloton.") or k in SHOWN_KEYS}
        view.add_row(
            str(row["snapshot_id"]),
            row["committed_at"],
            str(row["operation"]),
            ", ".join(row["refs"]),
            "; ".join(f"{k}={v}" for k, v in shown.items()),
        )
    console.print(view)
