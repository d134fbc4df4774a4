"""Parquet data files of one partition, written as a stream of record batches.

pyiceberg's own `overwrite` cannot stream into a partitioned table: it needs the whole partition
as one Arrow table, then writes it. Here batches are written as they come (the table's field ids,
compression properties, and pyiceberg's statistics for the manifests, so readers prune files as
with pyiceberg's own files), so the read of the next batch overlaps the write of this one and
memory holds a few batches, not a day. The
files are registered by lakehouse.lake.commits in one commit; until then no reader sees them,
and a failed write deletes what it wrote.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import (
    compute_statistics_plan,
    data_file_statistics_from_parquet_metadata,
    parquet_path_to_id_mapping,
    schema_to_pyarrow,
)
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
from pyiceberg.partitioning import PartitionFieldValue, PartitionKey
from pyiceberg.table import Table
from pyiceberg.typedef import Record
from pyiceberg.utils.properties import property_as_int

from lakehouse.lake.definition import LINEAGE

ROWS_PER_FILE = 10_000_000
"""A partition larger than this is split into several files (a full-scale day is ~1.5 M rows)."""
ROW_GROUP_ROWS = 262_144
"""Batches are gathered into row groups of at least this many rows (a few per day's file)."""
LINEAGE_NAMES = tuple(name for name, _, _ in LINEAGE)


def _partition_key(table: Table, day: date) -> PartitionKey:
    spec, schema = table.spec(), table.schema()
    (field,) = spec.fields
    return PartitionKey([PartitionFieldValue(field, day)], spec, schema)


class _ParquetFile:
    """One open data file: a Parquet writer on the table's FileIO output stream."""

    def __init__(self, table: Table, path: str, schema: pa.Schema, dictionary: list[str]) -> None:
        self.path = path
        self.output = table.io.new_output(path)
        self.stream = self.output.create(overwrite=True)
        properties = table.properties
        codec = properties.get("write.parquet.compression-codec", "zstd")
        try:
            self.writer = pq.ParquetWriter(
                cast(IO[Any], self.stream),
                schema=schema,
                compression="none" if codec == "uncompressed" else codec,  # Iceberg's name
                compression_level=property_as_int(properties, "write.parquet.compression-level"),
                # dictionaries only where values repeat: trying them on measurements costs
                # twice the encoding time for files 20 % larger
                use_dictionary=dictionary,
                write_statistics=True,
            )
        except BaseException:
            self.stream.close()
            with contextlib.suppress(OSError):
                table.io.delete(path)
            raise
        self.rows = 0
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        self.rows += batch.num_rows
        if self.pending_rows >= ROW_GROUP_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the gathered batches as one row group."""
        if self.pending:
            group = pa.Table.from_batches(self.pending)
            self.writer.write_table(group, row_group_size=group.num_rows)
            self.pending, self.pending_rows = [], 0

    def close(self, table: Table, partition: Record) -> DataFile:
        self.flush()
        self.writer.close()
        self.stream.close()
        schema = table.schema()
        stats = data_file_statistics_from_parquet_metadata(
            parquet_metadata=self.writer.writer.metadata,
            stats_columns=compute_statistics_plan(schema, table.properties),
            parquet_column_mapping=parquet_path_to_id_mapping(schema),
        )
        return DataFile.from_args(
            content=DataFileContent.DATA,
            file_path=self.path,
            file_format=FileFormat.PARQUET,
            partition=partition,
            file_size_in_bytes=len(self.output),
            sort_order_id=None,
            spec_id=table.spec().spec_id,
            equality_ids=None,
            key_metadata=None,
            **stats.to_serialized_dict(),
        )

    def abort(self, table: Table) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()
        with contextlib.suppress(Exception):  # before the delete: no late upload after it
            self.stream.close()
        with contextlib.suppress(OSError):  # never referenced by a snapshot
            table.io.delete(self.path)


def write_partition(
    table: Table,
    batches: Iterable[pa.RecordBatch],
    day: date,
    dictionary: Sequence[str] = (),
    rows_per_file: int = ROWS_PER_FILE,
) -> list[DataFile]:
    """Write `batches` (already in the table's schema) as data files of the `day` partition.

    `dictionary` names the columns to dictionary-encode (besides the lineage columns, constant
    in a file); the others are written plain.
    """
    file_schema = schema_to_pyarrow(table.schema(), include_field_ids=True)
    encoded = [n for n in (*dictionary, *LINEAGE_NAMES) if n in file_schema.names]
    key = _partition_key(table, day)
    provider = table.location_provider()
    write_id = uuid.uuid4()
    written: list[DataFile] = []
    current: _ParquetFile | None = None
    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            if current is None:
                name = f"{len(written):05d}-0-{write_id}.parquet"
                path = provider.new_data_location(data_file_name=name, partition_key=key)
                current = _ParquetFile(table, path, file_schema, encoded)
            current.write(pa.RecordBatch.from_arrays(batch.columns, schema=file_schema))
            if current.rows >= rows_per_file:
                written.append(current.close(table, key.partition))
                current = None
        if current is not None:
            written.append(current.close(table, key.partition))
            current = None
    except BaseException:
        if current is not None:
            current.abort(table)
        delete_files(table, written)
        raise
    return written


def delete_files(table: Table, files: list[DataFile]) -> None:
    """Remove data files no snapshot references (best effort: orphans are harmless)."""
    for data_file in files:
        with contextlib.suppress(OSError):
            table.io.delete(data_file.file_path)
