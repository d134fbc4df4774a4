"""The SQL guard on its own: the attack corpus refused in full, honest queries rewritten."""

import pytest
from attacks import ATTACKS, Attack

from lakehouse.bot.guard import MAX_ROWS, RefusedQuery, UnknownColumn, guard
from lakehouse.bot.tables import allowed_tables

ALLOWED = allowed_tables()


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_the_guard_refuses_every_attack(attack: Attack) -> None:
    with pytest.raises(RefusedQuery):
        guard(attack.sql, ALLOWED)


def test_the_corpus_covers_what_the_guard_must_stop() -> None:
    names = " ".join(a.sql.upper() for a in ATTACKS)
    for word in ("DROP", "DELETE", "INSERT", "UPDATE", "CALL", "SET SESSION", "TABLE(", "SYSTEM."):
        assert word in names
    assert len(ATTACKS) >= 30


def test_a_plain_select_gets_a_limit_and_loses_its_comments() -> None:
    checked = guard(
        "select rider_name, gap_s -- the gap\nfrom marts.stage_results /* x */ where stage = 3",
        ALLOWED,
    )
    assert checked.sql == (
        f"SELECT rider_name, gap_s FROM marts.stage_results WHERE stage = 3 LIMIT {MAX_ROWS}"
    )
    assert checked.tables == ("marts.stage_results",)


def test_a_larger_limit_is_lowered_and_a_smaller_one_kept() -> None:
    assert guard("SELECT bib FROM marts.stage_results LIMIT 100000", ALLOWED).sql.endswith(
        f"LIMIT {MAX_ROWS}"
    )
    assert guard("SELECT bib FROM marts.stage_results LIMIT 3", ALLOWED).sql.endswith("LIMIT 3")


def test_with_union_and_joins_on_keys_pass() -> None:
    checked = guard(
        "WITH w AS (SELECT stage, bib FROM marts.stage_results WHERE rank = 1) "
        "SELECT g.rider_name, g.gap_s FROM w JOIN lakehouse.marts.general_classification g "
        "ON g.stage = w.stage AND g.bib = w.bib "
        "UNION ALL SELECT rider_name, gap_s FROM marts.general_classification WHERE rank = 1",
        ALLOWED,
    )
    assert set(checked.tables) == {"marts.stage_results", "marts.general_classification"}
    assert checked.sql.startswith("SELECT * FROM (WITH w AS")


def test_a_made_up_column_is_named_with_the_columns_that_exist() -> None:
    with pytest.raises(UnknownColumn, match="winner_age") as caught:
        guard("SELECT winner_age FROM marts.stage_summary", ALLOWED)
    assert "marts.stage_summary: stage, stage_date, winner_bib" in str(caught.value)


def test_an_unqualified_table_is_refused_with_its_schema_suggested() -> None:
    with pytest.raises(RefusedQuery, match=r"did you mean marts\.stage_results"):
        guard("SELECT bib FROM stage_results", ALLOWED)


@pytest.mark.parametrize("sql", ["", "   ", "SELECT FROM WHERE (", "DROP"])
def test_empty_or_broken_sql_is_refused(sql: str) -> None:
    with pytest.raises(RefusedQuery):
        guard(sql, ALLOWED)


@pytest.mark.parametrize("tag", ["stage-16", "stage-03-v2"])
def test_a_mart_as_published_after_a_stage_passes(tag: str) -> None:
    checked = guard(
        f"SELECT g.rank, g.rider_name FROM marts.general_classification "
        f"FOR VERSION AS OF '{tag}' AS g WHERE g.stage = 16",
        ALLOWED,
    )
    assert f"FOR VERSION AS OF '{tag}'" in checked.sql


@pytest.mark.parametrize(
    "version",
    ["FOR VERSION AS OF 'stage-16 '", "FOR VERSION AS OF 'Stage-16'", "FOR VERSION AS OF 16"],
)
def test_only_a_stage_tag_exactly_is_a_version(version: str) -> None:
    with pytest.raises(RefusedQuery, match="time travel is allowed only"):
        guard(f"SELECT rank FROM marts.general_classification {version}", ALLOWED)
