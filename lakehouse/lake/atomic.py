"""Commits to several tables that become visible together.

Iceberg commits one table at a time. pyiceberg's SQL catalog (PostgreSQL or SQLite, the one
Trino's JDBC catalog reads too) keeps each table's current metadata file in a row of
`iceberg_tables`: here each table's new metadata file is written first, then every row is
swapped in one database transaction, each only if its table did not change meanwhile. A reader
loads a table's metadata from its row, so it sees all the tables' new versions or none.

Other catalogs (an Iceberg REST catalog) commit table by table, in order: the window in which
a reader can see some of the tables new and others old is documented in docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import IcebergTables, SqlCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table
from pyiceberg.table.update import TableRequirement, TableUpdate
from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

Change = tuple[Table, tuple[TableUpdate, ...], tuple[TableRequirement, ...]]
"""A table, the updates to its metadata, and what must hold for them to apply."""


def commit_together(catalog: Catalog, changes: Sequence[Change]) -> None:
    """Apply every change, all visible at once where the catalog allows it.

    Raises CommitFailedException, with nothing applied (SQL catalog), when a requirement no
    longer holds or a table changed while the new metadata was written.
    """
    if not changes:
        return
    if isinstance(catalog, SqlCatalog):
        _sql_transaction(catalog, changes)
        return
    for table, updates, requirements in changes:
        catalog.commit_table(table, requirements, updates)
        table.refresh()


def _sql_transaction(catalog: SqlCatalog, changes: Sequence[Change]) -> None:
    staged = []
    for table, updates, requirements in changes:
        current = catalog.load_table(table.name())
        new = catalog._update_and_stage_table(current, current.name(), requirements, updates)
        catalog._write_metadata(new.metadata, new.io, new.metadata_location)
        staged.append((current, new.metadata_location))
    with Session(catalog.engine) as session, session.begin():
        for current, location in staged:
            identifier = current.name()
            result = session.execute(
                update(IcebergTables)
                .where(
                    IcebergTables.catalog_name == catalog.name,
                    IcebergTables.table_namespace
                    == Catalog.namespace_to_string(Catalog.namespace_from(identifier)),
                    IcebergTables.table_name == Catalog.table_name_from(identifier),
                    IcebergTables.metadata_location == current.metadata_location,
                )
                .values(
                    metadata_location=location,
                    previous_metadata_location=current.metadata_location,
                )
            )
            if (
                cast(CursorResult[Any], result).rowcount != 1
            ):  # the transaction rolls back: no table moves
                raise CommitFailedException(
                    f"{'.'.join(identifier)} changed while the run was being published"
                )
    for table, _, _ in changes:
        table.refresh()
