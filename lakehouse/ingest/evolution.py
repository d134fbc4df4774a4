"""Schema evolution of raw tables when a source changes its columns.

Policy:
- a source column the table does not have is added to the table as a nullable column, with
  the type it has in the source (older rows read it as null);
- a source column whose type is narrower than the table's (smallint into int, float into
  double) is written as the table's type;
- a source column whose type is wider than the table's, but a legal Iceberg promotion (int to
  long, float to double), widens the table's column;
- any other difference (text where the table has numbers, a column that cannot be widened)
  fails with an error naming the column and both types, before anything is written;
- a column the source no longer has is kept in the table, and new rows hold null there (the
  table's required columns must stay in the source).
"""

from __future__ import annotations

import pyarrow as pa
from pyiceberg.exceptions import ResolveError
from pyiceberg.io.pyarrow import _ConvertToIcebergWithoutIDs, visit_pyarrow
from pyiceberg.schema import promote
from pyiceberg.table import Table
from pyiceberg.types import IcebergType

from lakehouse.errors import PelotonError


class SchemaChangeError(PelotonError):
    """The source changed a column in a way the table cannot follow."""


def _iceberg_type(arrow_type: pa.DataType) -> IcebergType:
    result = visit_pyarrow(arrow_type, _ConvertToIcebergWithoutIDs())
    assert isinstance(result, IcebergType)
    return result


def plan(
    table: Table, source: pa.Schema, where: str
) -> tuple[dict[str, IcebergType], dict[str, IcebergType]]:
    """(columns to add, columns to widen) so that `source` fits the table, or SchemaChangeError."""
    current = table.schema()
    add: dict[str, IcebergType] = {}
    widen: dict[str, IcebergType] = {}
    for field in source:
        wanted = _iceberg_type(field.type)
        try:
            existing = current.find_field(field.name)
        except ValueError:
            add[field.name] = wanted
            continue
        if existing.field_type == wanted:
            continue
        try:
            promote(wanted, existing.field_type)  # the source fits the table as it is
            continue
        except ResolveError:
            pass
        try:
            promote(existing.field_type, wanted)  # the table's column can be widened
            widen[field.name] = wanted
        except ResolveError:
            raise SchemaChangeError(
                f"{where}: column {field.name} is {wanted} in the source but {existing.field_type}"
                f" in {'.'.join(table.name())}; expected the same type or a widening (int to "
                "long, float to double). Nothing was written."
            ) from None
    missing = [f.name for f in current.fields if f.required and f.name not in source.names]
    if missing:
        raise SchemaChangeError(
            f"{where}: required column(s) {', '.join(missing)} missing from the source; "
            "expected them (the table cannot hold rows without them). Nothing was written."
        )
    return add, widen


def evolve(table: Table, source: pa.Schema, where: str) -> list[str]:
    """Apply the plan in one schema commit; return what changed, for the logs."""
    add, widen = plan(table, source, where)
    if not add and not widen:
        return []
    with table.update_schema() as update:
        for name, typ in add.items():
            update.add_column(name, typ, doc=f"added from the source ({where})")
        for name, typ in widen.items():
            update.update_column(name, field_type=typ)
    return [f"added {n} {t}" for n, t in add.items()] + [
        f"widened {n} to {t}" for n, t in widen.items()
    ]
