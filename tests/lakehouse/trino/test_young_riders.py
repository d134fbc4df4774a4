"""views.young_riders_classification: the young flag from birth dates (UCI: born on or after
1 January of the race's year minus 25), read by `bi` and `bot` without the birth dates."""

from datetime import date

import pytest

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration
VIEW = "views.young_riders_classification"


def _expected(lake: Settings) -> dict[tuple[int, int], bool]:
    catalog = open_catalog(lake)
    born = {
        r["bib"]: r["birth_date"]
        for r in catalog.load_table("staging.athletes").scan().to_arrow().to_pylist()
    }
    days = {
        r["stage"]: r["stage_date"]
        for r in catalog.load_table("staging.stages").scan().to_arrow().to_pylist()
    }
    gc = catalog.load_table("marts.general_classification").scan().to_arrow().to_pylist()
    return {
        (r["stage"], r["bib"]): born[r["bib"]] is not None
        and born[r["bib"]] >= date(days[r["stage"]].year - 25, 1, 1)
        for r in gc
    }


def test_the_young_flag_follows_the_birth_dates_and_ranks_the_young_riders(
    lake: Settings,
) -> None:
    result = run_sql(lake, f"SELECT stage, bib, rank, gap_s, young, young_rank FROM {VIEW}", "bot")
    rows = [dict(zip(result.columns, r, strict=True)) for r in result.rows]
    expected = _expected(lake)
    assert {(r["stage"], r["bib"]): r["young"] for r in rows} == expected
    assert 0 < sum(expected.values()) < len(expected)  # the tiny race has both
    for stage in {r["stage"] for r in rows}:
        young = sorted((r for r in rows if r["stage"] == stage and r["young"]),
                       key=lambda r: r["rank"])  # fmt: skip
        assert [r["young_rank"] for r in young] == list(range(1, len(young) + 1))
        assert all(r["young_rank"] is None for r in rows if r["stage"] == stage and not r["young"])


def test_bi_and_the_bot_read_it_but_never_a_birth_date(lake: Settings) -> None:
    for user in ("bi", "bot"):
        columns = run_sql(lake, f"SELECT * FROM {VIEW} LIMIT 1", user).columns
        assert "young" in columns and not any("birth" in c for c in columns)
    with pytest.raises(PelotonError, match="Access Denied"):
        run_sql(lake, "SELECT birth_date FROM staging.athletes", "bot")
