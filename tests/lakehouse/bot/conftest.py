"""The bot over the session's Trino (`lake`), with the index of `llm/` (no flow run)."""

import pytest

from lakehouse.bot.context import Context, open_context
from lakehouse.settings import Settings


@pytest.fixture(scope="session")
def bot(lake: Settings) -> Context:
    return open_context(lake)
