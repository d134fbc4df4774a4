"""The second wall: with the guard switched off, Trino itself refuses the `bot` user every
write, procedure, and catalog or schema other than the marts and views."""

from dataclasses import replace

import pytest
from attacks import ATTACKS, PLANTED_NAME, Attack
from bot_helpers import readable_columns

from lakehouse.bot.queries import run_guarded
from lakehouse.bot.tables import BOT_USER, allowed_tables
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration

SERVER_REFUSES = [a for a in ATTACKS if a.server]
REFUSAL = "Access Denied|read-only|not supported|Cannot access catalog"


@pytest.mark.parametrize("attack", SERVER_REFUSES, ids=lambda a: a.name)
def test_without_the_guard_trino_refuses_the_bot(lake: Settings, attack: Attack) -> None:
    with pytest.raises(PelotonError, match=REFUSAL):
        run_sql(lake, attack.sql, user=BOT_USER)


def test_the_tables_intact_after_the_attacks(lake: Settings) -> None:
    assert run_sql(lake, "SELECT count(*) FROM marts.stage_results", BOT_USER).rows[0][0] > 0


def test_the_bot_sees_the_marts_and_views_only(lake: Settings) -> None:
    readable = readable_columns(lake)
    assert {t.split(".")[0] for t in readable} == {"marts", "views"}
    assert "route_wkt" in readable["views.stage_routes"]


def test_the_allow_list_known_without_trino_is_what_trino_shows_the_bot(lake: Settings) -> None:
    readable = readable_columns(lake)
    known = allowed_tables()
    assert sorted(known) == sorted(readable)
    for table, columns in known.items():
        assert list(columns) == list(readable[table]), table


def test_a_guarded_query_runs_as_bot_with_a_limit(lake: Settings) -> None:
    rows = run_guarded(
        lake,
        "SELECT stage, winner_name FROM marts.stage_summary ORDER BY stage",
        readable_columns(lake),
        max_rows=2,
    )
    assert rows.sql.endswith("LIMIT 2")
    stages = run_sql(lake, "SELECT stage FROM marts.stage_summary ORDER BY stage", BOT_USER)
    assert len(stages.rows) > 2
    assert [r["stage"] for r in rows.records()] == [s for (s,) in stages.rows[:2]]


def test_a_query_over_its_time_limit_is_stopped_by_trino(lake: Settings) -> None:
    slow = replace(lake, llm=replace(lake.llm, query_timeout_s=1))
    allowed = readable_columns(lake)
    heavy = (
        "SELECT count(*) FROM views.rider_positions a JOIN views.rider_positions b "
        "ON a.stage = b.stage JOIN views.rider_positions c ON b.stage = c.stage"
    )
    with pytest.raises(PelotonError, match=r"EXCEEDED_TIME_LIMIT|maximum time"):
        run_guarded(slow, heavy, allowed)


def test_a_planted_name_is_a_value_not_sql(lake: Settings) -> None:
    from sqlglot import exp

    literal = exp.Literal.string(PLANTED_NAME).sql(dialect="trino")
    rows = run_guarded(
        lake,
        f"SELECT count(*) AS n FROM marts.stage_results WHERE rider_name = {literal}",
        readable_columns(lake),
    )
    assert rows.rows == [[0]]
