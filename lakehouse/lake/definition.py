"""A table's definition: name, documented schema, partition spec and Parquet encoding hints."""

from __future__ import annotations

from dataclasses import dataclass

from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, StringType, TimestamptzType

LINEAGE = (
    ("_loaded_at", TimestamptzType(), "when this row was landed (UTC)"),
    ("_source", StringType(), "where the row came from: table, file or sheet"),
    ("_batch_id", StringType(), "id of the ingestion run that landed the row"),
)


@dataclass(frozen=True)
class TableDef:
    """A table's name, schema (with docs) and identity partition column, if any."""

    name: str
    doc: str
    columns: tuple[tuple[str, object, bool, str], ...]
    """(name, Iceberg type, required, doc) of the source columns; lineage is appended."""
    partition_by: str | None = None
    dictionary: tuple[str, ...] = ()
    """Columns with few distinct values per file, dictionary-encoded in Parquet."""

    def schema(self) -> Schema:
        fields = [
            NestedField(i + 1, name, typ, required=req, doc=doc)  # type: ignore[arg-type]
            for i, (name, typ, req, doc) in enumerate(self.columns)
        ]
        base = len(fields)
        fields += [
            NestedField(base + i + 1, name, typ, required=False, doc=doc)
            for i, (name, typ, doc) in enumerate(LINEAGE)
        ]
        return Schema(*fields)

    def partition_spec(self) -> PartitionSpec:
        if self.partition_by is None:
            return PartitionSpec()
        source = self.schema().find_field(self.partition_by)
        return PartitionSpec(
            PartitionField(source.field_id, 1000, IdentityTransform(), self.partition_by)
        )


Column = tuple[str, object, bool, str]


def columns(table: TableDef, *names: str) -> tuple[Column, ...]:
    """Columns of another table, as declared there (name, type, required, doc)."""
    found = {c[0]: c for c in table.columns}
    return tuple(found[n] for n in names)
