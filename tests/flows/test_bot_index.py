"""The bot_index flow on Prefect's ephemeral API, over the session's lakehouse."""

from collections.abc import Iterator

import pytest
from bot_helpers import settings_env

from lakehouse.bot.index_table import TABLE
from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings, get_settings

pytestmark = pytest.mark.integration


@pytest.fixture()
def harness(lake: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in settings_env(lake).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    get_settings.cache_clear()


def test_the_flow_builds_the_index_then_finds_nothing_to_do(harness: None, lake: Settings) -> None:
    from flows.bot_index import bot_index

    catalog = open_catalog(lake)
    if catalog.table_exists(TABLE):
        catalog.drop_table(TABLE)
    first = bot_index()
    rows = catalog.load_table(TABLE).scan(selected_fields=("doc_id", "kind")).to_arrow()
    assert first.embedded == rows.num_rows > 0 and first.kept == 0
    assert {"stage", "rider", "team", "card"} <= set(rows["kind"].to_pylist())
    again = bot_index()
    assert again.embedded == 0 and again.kept == rows.num_rows
