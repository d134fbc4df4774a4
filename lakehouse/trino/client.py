"""Queries to Trino through its Python client (DB-API), and the views in `trino/views/`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trino
from trino.exceptions import Error as TrinoClientError
from trino.exceptions import TrinoQueryError

from lakehouse.assets import part_dir
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.catalogs import READER_CATALOG, WRITER_CATALOG, WRITER_USER

VIEWS_SCHEMA = f"{WRITER_CATALOG}.views"
NODES_WAIT_S = 30.0
# the name a view file creates, in the readers' catalog, which refuses every write


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[list[Any]]


def catalog_for(user: str) -> str:
    """The catalog a user's unqualified names resolve in: etl writes, every other user reads."""
    return WRITER_CATALOG if user == WRITER_USER else READER_CATALOG


def connect(
    settings: Settings, user: str | None = None, session: dict[str, str] | None = None
) -> trino.dbapi.Connection:
    """A connection as `user` (the settings' user by default), with `session` properties."""
    user = user or settings.trino.user
    return trino.dbapi.connect(
        host=settings.trino.host,
        port=settings.trino.port,
        user=user,
        catalog=catalog_for(user),
        session_properties=session,
        http_scheme="http",
        request_timeout=300,
    )


def run_sql(
    settings: Settings,
    query: str,
    user: str | None = None,
    session: dict[str, str] | None = None,
) -> Result:
    """Run one statement; a failure raises PelotonError with Trino's message.

    A server that has just started answers before it has announced its catalogs to itself
    (NO_NODES_AVAILABLE for a few seconds): such a query is retried for up to NODES_WAIT_S.
    """
    deadline = time.monotonic() + NODES_WAIT_S
    while True:
        try:
            with connect(settings, user, session) as conn:
                cursor = conn.cursor()
                cursor.execute(query)
                rows = cursor.fetchall()
                columns = [d[0] for d in cursor.description or []]
            return Result(columns, [list(r) for r in rows])
        except TrinoQueryError as exc:
            if exc.error_name == "NO_NODES_AVAILABLE" and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            raise PelotonError(
                f"Trino refused the query: {exc.error_name}: {exc.message}"
            ) from None
        except (TrinoClientError, OSError) as exc:
            raise PelotonError(
                f"cannot reach Trino at {settings.trino.host}:{settings.trino.port}: {exc}"
            ) from None


def views_dir() -> Path:
    """The folder of the view definitions, `views/` among Trino's run-time files."""
    return part_dir("trino") / "views"


def view_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or views_dir()).glob("*.sql"))


def init_views(settings: Settings, folder: Path | None = None) -> list[str]:
    """Create the views schema if needed and create or replace every view, in file order.

    A view file creates `lakehouse_rw.views.<name>` (`lakehouse` refuses every write: the
    writer's catalog, on the same Iceberg catalog, creates it) and reads `lakehouse.*` in its
    body: readers query the same view as `lakehouse.views.<name>`, and it reads through their
    read-only catalog.
    """
    run_sql(settings, f"CREATE SCHEMA IF NOT EXISTS {VIEWS_SCHEMA}")
    done = []
    for path in view_files(folder):
        text = path.read_text(encoding="utf-8").strip().rstrip(";")
        try:
            run_sql(settings, text)
        except PelotonError as exc:
            raise PelotonError(f"{path}: {exc}") from None
        done.append(path.stem)
    return done
