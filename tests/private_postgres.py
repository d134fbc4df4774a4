"""A test's own embedded PostgreSQL, for tests that stop, restart or freeze their source
server (the session's shared one must stay up for the others)."""

import shutil
from pathlib import Path

from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.postgres.throwaway import reachable_home
from lakehouse.settings import Settings


def start_private_postgres(prefix: str) -> tuple[EmbeddedPostgres, str, Path]:
    """Start a server in a fresh folder named `prefix...`: the server, its URL, its folder."""
    home = reachable_home(prefix)
    server = EmbeddedPostgres(Settings(home=home))
    return server, server.start(), home


def remove_private_postgres(server: EmbeddedPostgres, home: Path) -> None:
    """Stop the server and remove its folder."""
    server.stop()
    shutil.rmtree(home, ignore_errors=True)
