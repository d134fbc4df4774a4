"""The bot's documents and allow-list, without a server: every table it may read has a card."""

import pytest

from lakehouse.bot.corpus import table_cards
from lakehouse.bot.guard import RefusedQuery, guard
from lakehouse.bot.tables import BOT_MARTS, allowed_tables
from lakehouse.trino.client import view_files


def test_every_mart_and_every_view_has_a_card_and_nothing_else_does() -> None:
    cards = {c.title for c in table_cards()}
    views = {f"views.{p.stem.split('_', 1)[1]}" for p in view_files()}
    assert len(views) == len(view_files()) >= 11
    assert cards == {t.name for t in BOT_MARTS} | views
    assert "marts.gif_exports" in cards and "views.young_riders_classification" in cards


def test_the_allow_list_holds_the_marts_and_the_views_with_their_columns() -> None:
    allowed = allowed_tables()
    assert set(allowed) == {c.title for c in table_cards()}
    assert list(allowed["views.route_speed"]) == [
        "stage", "piece", "quadkey", "from_km", "to_km", "avg_speed_kmh", "geojson",
    ]  # fmt: skip
    young = allowed["views.young_riders_classification"]
    assert "young" in young and "birth_date" not in young


def test_a_query_on_a_view_passes_the_guard_and_one_on_an_unlisted_table_is_refused() -> None:
    checked = guard(
        "SELECT c.name, r.length_km FROM views.climbs c "
        "JOIN views.stage_routes r ON r.stage = c.stage WHERE c.climb_number = 1",
        allowed_tables(),
    )
    assert checked.tables == ("views.climbs", "views.stage_routes")
    for table in ("staging.athletes", "views.athletes", "bot.documents", "marts.secrets"):
        with pytest.raises(RefusedQuery, match="is not allowed"):
            guard(f"SELECT * FROM {table}", allowed_tables())
