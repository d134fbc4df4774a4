"""Access control: `etl` writes and maintains; `bi` and `bot` only read the marts and the views.

Readers query `lakehouse`, a catalog whose connector refuses every write, table procedure and
CALL to every user; `etl` writes through `lakehouse_rw`, which the rules open to it alone; the
rules refuse catalog session properties and procedures to every user but `etl`. `mallory`
stands for any user the rules do not name.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration

OTHERS = ["bi", "bot", "mallory"]  # every user but etl
CATALOGS = ["lakehouse", "lakehouse_rw"]
TABLE_PROCEDURES = {
    "optimize": "optimize",
    "optimize_manifests": "optimize_manifests",
    "expire_snapshots": "expire_snapshots(retention_threshold => '7d')",
    "remove_orphan_files": "remove_orphan_files(retention_threshold => '7d')",
    "drop_extended_stats": "drop_extended_stats",
    "rollback_to_snapshot": "rollback_to_snapshot(1)",
    "add_files": "add_files(location => '/nowhere', format => 'PARQUET')",
}
PROCEDURES = {  # on a table that does not exist: a wrongful success changes nothing
    "rollback_to_snapshot": "system.rollback_to_snapshot('marts', 'no_such_table', 1)",
    "register_table": "system.register_table('marts', 'no_such_table', '/nowhere')",
    "unregister_table": "system.unregister_table('marts', 'no_such_table')",
}
# every table procedure and procedure, by id, its catalog left as `{catalog}`
MAINTENANCE = {
    **{
        f"execute-{name}": f"ALTER TABLE {{catalog}}.marts.stage_results EXECUTE {call}"
        for name, call in TABLE_PROCEDURES.items()
    },
    **{f"call-{name}": f"CALL {{catalog}}.{call}" for name, call in PROCEDURES.items()},
}
RETENTIONS = ["expire_snapshots_min_retention", "remove_orphan_files_min_retention"]


def _refused(lake: Settings, statement: str, user: str, **session: str) -> None:
    with pytest.raises(PelotonError, match="Access Denied"):
        run_sql(lake, statement, user, session or None)


@pytest.mark.parametrize("user", ["bi", "bot"])
def test_readers_read_marts_and_views(lake: Settings, user: str) -> None:
    assert run_sql(lake, "SELECT count(*) FROM marts.stage_results", user).rows[0][0] > 0
    assert run_sql(lake, "SELECT count(*) FROM views.stage_routes", user).rows[0][0] == 3


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE marts.forbidden AS SELECT 1 AS x",
        "INSERT INTO marts.stage_summary SELECT * FROM marts.stage_summary LIMIT 1",
        "DELETE FROM marts.stage_results WHERE stage = 17",
        "DROP TABLE marts.stage_results",
        "CREATE SCHEMA lakehouse.forbidden",
        "CREATE OR REPLACE VIEW views.stage_routes AS SELECT 1 AS x",
        "ANALYZE marts.stage_results",
        "SELECT count(*) FROM staging.telemetry",
        "SELECT count(*) FROM raw.athletes",
        "SELECT count(*) FROM source.trino_src.telemetry",
        "SELECT count(*) FROM lakehouse_rw.marts.stage_results",
        "INSERT INTO lakehouse_rw.marts.stage_summary SELECT * FROM marts.stage_summary LIMIT 1",
        "ANALYZE lakehouse_rw.marts.stage_results",
    ],
)
@pytest.mark.parametrize("user", OTHERS)
def test_others_cannot_write_nor_read_outside_marts_and_views(
    lake: Settings, statement: str, user: str
) -> None:
    _refused(lake, statement, user)


def test_an_unknown_user_reads_nothing(lake: Settings) -> None:
    _refused(lake, "SELECT count(*) FROM lakehouse.marts.stage_results", "mallory")
    _refused(lake, "SELECT count(*) FROM lakehouse.views.stage_routes", "mallory")
    _refused(lake, "SET SESSION query_max_run_time = '1h'", "mallory")


@pytest.mark.parametrize("statement", MAINTENANCE)
@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("user", OTHERS)
def test_others_cannot_run_procedures(
    lake: Settings, user: str, catalog: str, statement: str
) -> None:
    _refused(lake, MAINTENANCE[statement].format(catalog=catalog), user)


@pytest.mark.parametrize("user", OTHERS)
def test_others_cannot_kill_queries(lake: Settings, user: str) -> None:
    _refused(lake, "CALL system.runtime.kill_query('20250101_000000_00000_aaaaa')", user)


@pytest.mark.parametrize("user", [*OTHERS, "etl"])
def test_nobody_runs_sql_on_the_race_database_through_trino(lake: Settings, user: str) -> None:
    _refused(lake, "CALL source.system.execute('DROP TABLE trino_src.no_such_table')", user)


@pytest.mark.parametrize("statement", MAINTENANCE)
def test_the_readers_catalog_refuses_procedures_to_etl_too(lake: Settings, statement: str) -> None:
    _refused(lake, MAINTENANCE[statement].format(catalog="lakehouse"), "etl")


@pytest.mark.parametrize("form", ["SET SESSION", "client session"])
@pytest.mark.parametrize("prop", RETENTIONS)
@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("user", OTHERS)
def test_others_cannot_lower_the_retentions(
    lake: Settings, user: str, catalog: str, prop: str, form: str
) -> None:
    name = f"{catalog}.{prop}"
    if form == "SET SESSION":
        _refused(lake, f"SET SESSION {name} = '0s'", user)
    else:
        _refused(lake, "SELECT 1", user, **{name: "0s"})


def _catalog_properties(lake: Settings) -> dict[str, str]:
    """Every session property of the Iceberg catalogs, with its default value."""
    rows = run_sql(lake, "SHOW SESSION LIKE 'lakehouse.%'", "etl").rows
    return {name.partition(".")[2]: default for name, _, default, *_ in rows}


@pytest.mark.parametrize("user", OTHERS)
def test_others_cannot_set_any_catalog_session_property(lake: Settings, user: str) -> None:
    properties = _catalog_properties(lake)
    assert len(properties) > 40 and set(RETENTIONS) <= set(properties)
    for catalog in CATALOGS:
        for prop, default in properties.items():
            _refused(lake, "SELECT 1", user, **{f"{catalog}.{prop}": default})


def test_etl_sets_catalog_session_properties(lake: Settings) -> None:
    for prop, default in _catalog_properties(lake).items():
        assert run_sql(lake, "SELECT 1", "etl", {f"lakehouse_rw.{prop}": default}).rows == [[1]]
    run_sql(lake, "SET SESSION lakehouse_rw.remove_orphan_files_min_retention = '0s'", "etl")


def test_etl_writes_and_drops(lake: Settings) -> None:
    run_sql(lake, "CREATE SCHEMA IF NOT EXISTS scratch")
    run_sql(lake, "CREATE TABLE scratch.allowed AS SELECT 1 AS x")
    run_sql(lake, "INSERT INTO scratch.allowed VALUES 2")
    assert run_sql(lake, "SELECT sum(x) FROM scratch.allowed").rows == [[3]]
    assert run_sql(lake, "SELECT sum(x) FROM lakehouse.scratch.allowed").rows == [[3]]
    run_sql(lake, "DROP TABLE scratch.allowed")
    with pytest.raises(PelotonError, match="TABLE_NOT_FOUND"):
        run_sql(lake, "SELECT * FROM scratch.allowed")


@dataclass(frozen=True)
class Scratch:
    """An etl table of two snapshots (one row each), without extended statistics."""

    lake: Settings
    schema: str
    table: str
    first_snapshot: int

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    def sql(self, statement: str, **session: str) -> list[list[object]]:
        """Run as etl, `{t}` standing for the table, `{t$x}` for its metadata table `$x`."""
        statement = re.sub(r"\{t\$(\w+)\}", rf'{self.schema}."{self.table}$\1"', statement)
        session = {f"lakehouse_rw.{k}": v for k, v in session.items()}
        return run_sql(self.lake, statement.replace("{t}", self.name), "etl", session).rows

    def count(self, query: str) -> object:
        return self.sql(query)[0][0]

    def location(self) -> Path:
        uri = open_catalog(self.lake).load_table(self.name).location()
        return Path(uri.removeprefix("file://"))

    def distinct_riders(self) -> object:
        stats = self.sql("SHOW STATS FOR {t}")
        return next(row[2] for row in stats if row[0] == "rider")


@pytest.fixture()
def scratch(lake: Settings, request: pytest.FixtureRequest) -> Iterator[Scratch]:
    table = "m_" + re.sub(r"\W+", "_", request.node.name).lower()[:50]
    run_sql(lake, "CREATE SCHEMA IF NOT EXISTS scratch")
    first = Scratch(lake, "scratch", table, 0)
    no_stats = {"collect_extended_statistics_on_write": "false"}
    first.sql("CREATE TABLE {t} AS SELECT 17 AS stage, 'Vingegaard' AS rider", **no_stats)
    first.sql("INSERT INTO {t} VALUES (17, 'Pogačar')", **no_stats)
    snapshot = first.count("SELECT snapshot_id FROM {t$snapshots} ORDER BY committed_at LIMIT 1")
    assert isinstance(snapshot, int)
    yield Scratch(lake, "scratch", table, snapshot)
    run_sql(lake, f"DROP TABLE IF EXISTS scratch.{table}")


def test_etl_optimizes(scratch: Scratch) -> None:
    assert scratch.count("SELECT count(*) FROM {t$files}") == 2
    scratch.sql("ALTER TABLE {t} EXECUTE optimize")
    assert scratch.count("SELECT count(*) FROM {t$files}") == 1
    assert scratch.count("SELECT count(*) FROM {t}") == 2


def test_etl_optimizes_manifests(scratch: Scratch) -> None:
    assert scratch.count("SELECT count(*) FROM {t$manifests}") == 2
    scratch.sql("ALTER TABLE {t} EXECUTE optimize_manifests")
    assert scratch.count("SELECT count(*) FROM {t$manifests}") == 1


def test_etl_expires_snapshots_below_the_default_retention(scratch: Scratch) -> None:
    assert scratch.count("SELECT count(*) FROM {t$snapshots}") == 2
    expire = "ALTER TABLE {t} EXECUTE expire_snapshots(retention_threshold => '0s')"
    scratch.sql(expire, expire_snapshots_min_retention="0s")
    assert scratch.count("SELECT count(*) FROM {t$snapshots}") == 1
    assert scratch.count("SELECT count(*) FROM {t}") == 2


def test_etl_removes_orphan_files_below_the_default_retention(scratch: Scratch) -> None:
    orphan = scratch.location() / "data" / "orphan.parquet"
    orphan.write_bytes(b"not referenced by any snapshot")
    os.utime(orphan, (1_000_000_000, 1_000_000_000))  # written long ago
    remove = "ALTER TABLE {t} EXECUTE remove_orphan_files(retention_threshold => '0s')"
    scratch.sql(remove, remove_orphan_files_min_retention="0s")
    assert not orphan.exists()
    assert scratch.count("SELECT count(*) FROM {t}") == 2


def test_etl_analyzes(scratch: Scratch) -> None:
    assert scratch.distinct_riders() is None
    scratch.sql("ANALYZE {t}")
    assert scratch.distinct_riders() == 2


def test_etl_drops_extended_stats(scratch: Scratch) -> None:
    scratch.sql("ANALYZE {t}")
    assert scratch.distinct_riders() == 2
    scratch.sql("ALTER TABLE {t} EXECUTE drop_extended_stats")
    assert scratch.distinct_riders() is None


def test_etl_rolls_back_to_a_snapshot(scratch: Scratch) -> None:
    scratch.sql(f"ALTER TABLE {{t}} EXECUTE rollback_to_snapshot({scratch.first_snapshot})")
    assert scratch.sql("SELECT rider FROM {t}") == [["Vingegaard"]]


def test_etl_calls_rollback_to_snapshot(scratch: Scratch) -> None:
    call = "CALL lakehouse_rw.system.rollback_to_snapshot('{}', '{}', {})"
    scratch.sql(call.format(scratch.schema, scratch.table, scratch.first_snapshot))
    assert scratch.sql("SELECT rider FROM {t}") == [["Vingegaard"]]


def test_etl_unregisters_and_registers_a_table(scratch: Scratch) -> None:
    location = scratch.location()
    scratch.sql(f"CALL lakehouse_rw.system.unregister_table('scratch', '{scratch.table}')")
    with pytest.raises(PelotonError, match="TABLE_NOT_FOUND"):
        scratch.sql("SELECT count(*) FROM {t}")
    register = "CALL lakehouse_rw.system.register_table('scratch', '{}', 'file://{}')"
    scratch.sql(register.format(scratch.table, location))
    assert scratch.count("SELECT count(*) FROM {t}") == 2


@pytest.fixture()
def audited(lake: Settings) -> Iterator[None]:
    """A mart of one row on branch `audit` and two on main, and a view over it."""
    run_sql(lake, "CREATE TABLE marts.audited AS SELECT 1 AS x")
    table = open_catalog(lake).load_table("marts.audited")
    snapshot = table.current_snapshot()
    assert snapshot is not None
    table.manage_snapshots().create_branch(snapshot.snapshot_id, "audit").commit()
    run_sql(lake, "INSERT INTO marts.audited VALUES 2")
    run_sql(lake, "CREATE VIEW views.audited AS SELECT x FROM lakehouse.marts.audited")
    try:
        yield
    finally:
        run_sql(lake, "DROP VIEW IF EXISTS views.audited")
        run_sql(lake, "DROP TABLE IF EXISTS marts.audited")


METADATA_TABLES = (
    "refs",
    "snapshots",
    "history",
    "metadata_log_entries",
    "files",
    "manifests",
    "all_manifests",
    "entries",
    "all_entries",
    "partitions",
    "properties",
)
"""The Iceberg connector's metadata tables: they list a table's branches and snapshots."""


@pytest.mark.usefixtures("audited")
@pytest.mark.parametrize("user", ["bi", "bot"])
def test_readers_cannot_list_a_tables_branches_or_snapshots(lake: Settings, user: str) -> None:
    for suffix in METADATA_TABLES:
        with pytest.raises(PelotonError, match="Access Denied"):
            run_sql(lake, f'SELECT * FROM marts."audited${suffix}"', user)
    refs = run_sql(lake, 'SELECT name FROM marts."audited$refs" ORDER BY name').rows
    assert refs == [["audit"], ["main"]], "etl lists them"


@pytest.mark.usefixtures("audited")
def test_readers_do_not_see_etls_queries(lake: Settings) -> None:
    """A branch's name in the text of a query `etl` ran is not shown to the readers."""
    run_sql(lake, "SELECT count(*) FROM marts.audited FOR VERSION AS OF 'audit'")
    mine = "SELECT count(*) FROM system.runtime.queries WHERE \"user\" = 'etl'"
    assert run_sql(lake, mine).rows[0][0] > 0
    assert run_sql(lake, mine, "bi").rows == [[0]]


@pytest.mark.usefixtures("audited")
@pytest.mark.parametrize("user", ["bi", "bot"])
def test_readers_read_a_branch_only_by_its_name_and_a_view_reads_main(
    lake: Settings, user: str
) -> None:
    """No access control sees the version clause: a reader who knows a branch's name reads it
    (a run's branch is named for its random batch id, which nothing readers may read shows)."""
    on_branch = "SELECT count(*) FROM {} FOR VERSION AS OF 'audit'"
    assert run_sql(lake, on_branch.format("marts.audited"), user).rows == [[1]]
    # through a view the version clause changes nothing: the view reads the current snapshot
    assert run_sql(lake, on_branch.format("views.audited"), user).rows == [[2]]
