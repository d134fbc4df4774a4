"""A real Trino for the tests, on a free loopback port, over a tiny race landed and modelled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lakehouse.ports import free_port
from lakehouse.settings import Settings
from lakehouse.trino.server import TrinoServer


@contextmanager
def running_trino(settings: Settings) -> Iterator[TrinoServer]:
    """Start Trino for `settings` (its port should be free) and stop it afterwards."""
    server = TrinoServer(settings)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def trino_settings(
    home: Path, postgres_url: str, catalog_name: str, schema: str = "race", **more: object
) -> Settings:
    """Settings of a Trino on a free port, its catalog `catalog_name` in the PostgreSQL."""
    return Settings(
        home=home,
        source={"url": postgres_url, "schema_name": schema},
        catalog={"kind": "sql", "name": catalog_name},
        trino={"port": free_port(), "heap": "1536M", "query_max_memory": "768MB"},
        **more,  # type: ignore[arg-type]
    )
