"""Write-audit-publish: a run's tables are published together, exactly as they were checked."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from lakehouse.catalog import catalog_properties
from lakehouse.errors import PelotonError
from lakehouse.lake.branches import head, heads, open_audit, publish, run_branch
from lakehouse.settings import Settings

NAMES = ("marts.a", "marts.b", "marts.c")


def _rows(n: int) -> pa.Table:
    return pa.table({"x": pa.array(range(n), pa.int64())})


def _tables(catalog: Catalog) -> list[Table]:
    catalog.create_namespace_if_not_exists("marts")
    tables = []
    for name in NAMES:
        table = catalog.create_table_if_not_exists(name, schema=_rows(0).schema)
        table.append(_rows(1))
        tables.append(table)
    return tables


def _write_run(tables: list[Table], batch_id: str, rows: int) -> str:
    branch = run_branch(batch_id)
    for table in tables:
        open_audit(table, branch)
        table.overwrite(_rows(rows), branch=branch)
    return branch


def _counts(catalog: Catalog) -> list[int]:
    return [catalog.load_table(n).scan().to_arrow().num_rows for n in NAMES]


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    if request.param == "sqlite":
        settings = Settings(home=tmp_path, catalog={"kind": "sqlite"})
    else:
        url = request.getfixturevalue("postgres_url")
        settings = Settings(home=tmp_path, source={"url": url}, catalog={"name": tmp_path.name})
    yield SqlCatalog(settings.catalog.name, **catalog_properties(settings))


@pytest.mark.integration
def test_the_checked_snapshots_are_published_together_and_the_branch_removed(
    catalog: Catalog,
) -> None:
    tables = _tables(catalog)
    branch = _write_run(tables, "run1", 5)
    checked = heads(tables, branch)
    assert _counts(catalog) == [1, 1, 1]  # readers of main see nothing of the run yet
    moved = publish(catalog, tables, checked, branch)
    assert sorted(moved) == list(NAMES)
    assert _counts(catalog) == [5, 5, 5]
    for table in tables:
        current = catalog.load_table(table.name()).current_snapshot()
        assert current is not None and current.snapshot_id == checked[".".join(table.name())]
        assert branch not in catalog.load_table(table.name()).refs()


@pytest.mark.integration
def test_a_branch_that_moved_after_its_check_is_not_published(catalog: Catalog) -> None:
    tables = _tables(catalog)
    branch = _write_run(tables, "run2", 5)
    checked = heads(tables, branch)
    tables[2].append(_rows(1), branch=branch)  # written after the checks read the branch
    with pytest.raises(PelotonError, match="moved after it was checked"):
        publish(catalog, tables, checked, branch)
    assert _counts(catalog) == [1, 1, 1]


@pytest.mark.integration
def test_a_table_changed_during_the_publish_leaves_every_table_unpublished(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer commits to the last table after the first tables' new metadata is
    written: the one transaction that swaps the catalog's rows publishes none of them."""
    tables = _tables(catalog)
    branch = _write_run(tables, "run3", 5)
    checked = heads(tables, branch)
    write: Callable[..., None] = SqlCatalog._write_metadata
    written: list[str] = []

    def write_then_interfere(metadata, io, metadata_path):  # type: ignore[no-untyped-def]
        write(metadata, io, metadata_path)
        written.append(metadata_path)
        if len(written) == 2:  # the last table is still to be staged: change it now
            catalog.load_table(NAMES[0]).append(_rows(1))

    monkeypatch.setattr(SqlCatalog, "_write_metadata", staticmethod(write_then_interfere))
    with pytest.raises(CommitFailedException, match=r"marts\.a changed while"):
        publish(catalog, tables, checked, branch)
    monkeypatch.undo()
    assert _counts(catalog) == [2, 1, 1]  # only the other writer's row: nothing published
    assert all(head(t, branch) == checked[".".join(t.name())] for t in tables)


def test_without_a_sql_catalog_tables_are_committed_one_by_one(tmp_path: Path) -> None:
    """The fallback path commits every change through the catalog's own commit."""
    settings = Settings(home=tmp_path, catalog={"kind": "sqlite"})
    catalog = SqlCatalog(settings.catalog.name, **catalog_properties(settings))
    tables = _tables(catalog)
    branch = _write_run(tables, "run4", 3)
    calls: list[str] = []

    class Plain:  # any catalog that is not a SQL catalog: commit_table only
        def commit_table(self, table, requirements, updates):  # type: ignore[no-untyped-def]
            calls.append(".".join(table.name()))
            return catalog.commit_table(table, requirements, updates)

    checked = heads(tables, branch)
    assert sorted(publish(Plain(), tables, checked, branch)) == list(NAMES)  # type: ignore[arg-type]
    assert calls == list(NAMES)
    assert _counts(catalog) == [3, 3, 3]
