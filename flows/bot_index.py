"""The bot's index flow: the documents of `llm/` and of the marts embedded into `bot.documents`.

Thin: the logic is in lakehouse.bot.indexing. Only new or changed documents are embedded; an
unchanged corpus commits nothing.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from lakehouse.bot.index_table import Sync
from lakehouse.bot.indexing import build_index
from lakehouse.catalog import open_catalog
from lakehouse.settings import get_settings


@task(cache_policy=NO_CACHE)
def sync() -> Sync:
    settings = get_settings()
    return build_index(open_catalog(settings), settings.llm)


@flow(name="bot_index", log_prints=True)
def bot_index() -> Sync:
    """Rebuild the race bot's retrieval index for what changed."""
    done = sync()
    get_run_logger().info(
        "bot index: %d documents embedded, %d removed, %d unchanged",
        done.embedded,
        done.removed,
        done.kept,
    )
    return done
