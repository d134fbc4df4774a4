"""retry_commit: a commit that another writer beat is run again on the table's new state."""

from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from lakehouse.catalog import open_catalog
from lakehouse.lake.commits import retry_commit
from lakehouse.settings import Settings

ROWS = pa.schema([pa.field("n", pa.int64())])


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    catalog = open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))
    catalog.create_namespace_if_not_exists("t")
    # pyiceberg retries an append itself; off, so that the conflict reaches retry_commit as it
    # does for the commits pyiceberg does not retry (expiry, refs, upkeep's rewrites)
    catalog.create_table("t.numbers", schema=ROWS, properties={"commit.retry.num-retries": "0"})
    return catalog


def _rows(*values: int) -> pa.Table:
    return pa.table({"n": pa.array(values, pa.int64())}, schema=ROWS)


def _numbers(table: Table) -> list[int]:
    table.refresh()
    return sorted(table.scan().to_arrow()["n"].to_pylist())


def test_a_commit_beaten_by_another_writer_is_run_again_on_the_new_state(
    catalog: Catalog,
) -> None:
    mine, other = catalog.load_table("t.numbers"), catalog.load_table("t.numbers")
    calls: list[int] = []

    def commit() -> int:
        calls.append(len(mine.snapshots()))
        if len(calls) == 1:
            other.append(_rows(1))  # commits first: `mine` now holds a stale state
        mine.append(_rows(2))
        return len(calls)

    assert retry_commit(mine, commit) == 2
    assert calls == [0, 1]  # the second try saw the other writer's snapshot (refreshed)
    assert _numbers(mine) == [1, 2]


def test_a_commit_beaten_every_time_raises_after_the_attempts(catalog: Catalog) -> None:
    mine, other = catalog.load_table("t.numbers"), catalog.load_table("t.numbers")
    calls = 0

    def commit() -> None:
        nonlocal calls
        calls += 1
        stale = catalog.load_table("t.numbers")
        other.append(_rows(calls))  # another writer wins every time
        stale.append(_rows(100))

    with pytest.raises(CommitFailedException):
        retry_commit(mine, commit, attempts=3)
    assert calls == 3
    assert _numbers(mine) == [1, 2, 3]


def test_other_errors_are_not_retried(catalog: Catalog) -> None:
    calls = 0

    def commit() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("not a conflict")

    with pytest.raises(ValueError):
        retry_commit(catalog.load_table("t.numbers"), commit)
    assert calls == 1
