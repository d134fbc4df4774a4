"""Queries to Trino (its client protocol, or the `trino` package's DB-API), and the views."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse.assets import part_dir
from lakehouse.errors import ConfigurationError, PelotonError, UnavailableError
from lakehouse.settings import Settings
from lakehouse.trino.catalogs import READER_CATALOG, WRITER_CATALOG, WRITER_USER
from lakehouse.trino.statement import Server, StatementError, execute

if TYPE_CHECKING:
    import trino

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
    """A DB-API connection as `user` (the settings' user by default), with `session` properties."""
    import trino

    user = user or settings.trino.user
    server = server_for(settings, user)
    return trino.dbapi.connect(
        host=server.host,
        port=server.port,
        user=user,
        catalog=catalog_for(user),
        session_properties=session,
        http_scheme=settings.trino.http_scheme,
        auth=trino.auth.BasicAuthentication(user, server.password) if server.password else None,
        verify=server.ca_file or True,
        request_timeout=300,
    )


def server_for(settings: Settings, user: str) -> Server:
    """The Trino of the settings, with the password of the user the query runs as: the
    settings' password for their user, the entry of PELOTON_TRINO__PASSWORDS for another
    (`bot`); users with none (such as `bi` on the embedded server) send none."""
    trino = settings.trino
    password = trino.password_for(user)
    configured = trino.password is not None or trino.passwords is not None
    if configured and trino.http_scheme != "https":
        raise ConfigurationError(
            "a Trino password is set (PELOTON_TRINO__PASSWORD or __PASSWORDS) but "
            "PELOTON_TRINO__HTTP_SCHEME is http: a password is only sent over https (set it to "
            "https for a Trino behind TLS)"
        )
    return Server(
        trino.host,
        trino.port,
        trino.http_scheme == "https",
        password,
        str(trino.ca_file) if trino.ca_file else None,
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
    user = user or settings.trino.user
    host, port = settings.trino.host, settings.trino.port
    server = server_for(settings, user)
    while True:
        try:
            answer = execute(server, user, query, catalog_for(user), session)
            return Result([name for name, _ in answer.columns], answer.rows)
        except StatementError as exc:
            if exc.name == "NO_NODES_AVAILABLE" and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            raise PelotonError(f"Trino refused the query: {exc.name}: {exc.message}") from None
        except OSError as exc:
            raise UnavailableError(
                f"cannot reach Trino at {host}:{port}: {exc}; start it with `peloton trino start`"
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
    # the flyby exports' index is written by its own flow: a view over it needs it to exist
    from lakehouse.catalog import open_catalog
    from lakehouse.lake.commits import ensure_table
    from lakehouse.lake.gif_tables import GIF_EXPORTS

    ensure_table(open_catalog(settings), GIF_EXPORTS)
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
