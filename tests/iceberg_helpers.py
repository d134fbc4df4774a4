"""Small readers of Iceberg tables shared by the tests."""

from datetime import date, timedelta

from pyiceberg.catalog import Catalog

EPOCH = date(1970, 1, 1)


def rows_by_day(catalog: Catalog, name: str = "raw.telemetry") -> dict[date, int]:
    """Rows per stage day, read back through the table's current snapshot."""
    table = catalog.load_table(name)
    counts = table.scan().to_arrow().group_by("stage_date").aggregate([("athlete_id", "count")])
    return dict(
        zip(counts["stage_date"].to_pylist(), counts["athlete_id_count"].to_pylist(), strict=True)
    )


def files_by_day(catalog: Catalog, name: str = "raw.telemetry") -> dict[date, set[str]]:
    """The data files of the current snapshot, per stage-day partition."""
    out: dict[date, set[str]] = {}
    for task in catalog.load_table(name).scan().plan_files():
        value = task.file.partition[0]
        day = value if isinstance(value, date) else EPOCH + timedelta(days=value)
        out.setdefault(day, set()).add(task.file.file_path)
    return out
