"""A throwaway embedded PostgreSQL in a temporary folder: for tests and benchmarks."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.settings import Settings


def reachable_home(prefix: str, parent: str = "/tmp") -> Path:
    """A new temporary PELOTON_HOME that the server's unprivileged user can enter.

    mkdtemp makes the folder 0700; it is this run's own folder, so opening it to 0755 changes
    nothing of the user's.
    """
    home = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    home.chmod(0o755)
    return home


@contextmanager
def throwaway_server(prefix: str = "peloton-pg-", parent: str = "/tmp") -> Iterator[str]:
    """Start an embedded PostgreSQL in a temporary home; yield its URL; stop and remove it."""
    home = reachable_home(prefix, parent)
    server = EmbeddedPostgres(Settings(home=home))
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
