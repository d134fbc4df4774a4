"""The run lock: one pipeline run at a time writes a lakehouse (a catalog and its warehouse).

What holds the lock depends on the catalog:

- a SQL catalog on PostgreSQL: a session-level advisory lock in the catalog's database, keyed
  by the catalog's name; the holder is described in its connection's `application_name`;
- a SQL catalog on SQLite: an exclusive `flock` on a file beside the database;
- a REST catalog (no database of ours to lock): an exclusive `flock` on a file under
  PELOTON_HOME, so runs on one machine exclude each other; runs on several machines rely on the
  deployments' concurrency limit of one.

Every kind is released by the operating system or the server when the holder dies (kill -9
included): a dead run never keeps the lakehouse locked. Within one process the lock is
re-entrant: a flow that holds it may run subflows that take it too.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pyiceberg.catalog import Catalog
from sqlalchemy import text

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings

LOCK_SPACE = 0x5045_4C4F  # "PELO": the first key of the advisory lock, the catalog the second
POLL_S = 0.5
_HELD: dict[str, int] = {}
"""The locks this process holds (by what they lock), with how many holders nest in them."""
_HELD_GUARD = threading.Lock()


class LakehouseLocked(PelotonError):
    """Another run holds the lakehouse."""


def holder_text(what: str) -> str:
    """Who takes the lock: the step, when, which process on which host."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return f"{what}, started at {started}, pid {os.getpid()} on {socket.gethostname()}"


def _refused(holder: str, waited_s: float) -> LakehouseLocked:
    waited = f" (waited {waited_s:.0f} s)" if waited_s else ""
    return LakehouseLocked(
        f"another run ({holder or 'holder unknown'}) holds the lakehouse{waited}; "
        "run again when it has finished"
    )


def _acquire(
    try_lock: Callable[[], bool], describe_holder: Callable[[], str], wait_s: float
) -> None:
    """Try until the lock is taken or `wait_s` has passed (0: one try)."""
    started = time.monotonic()
    while not try_lock():
        waited = time.monotonic() - started
        if waited >= wait_s:
            raise _refused(describe_holder(), waited)
        time.sleep(POLL_S)


def _catalog_engine(catalog: Catalog) -> Any | None:
    return getattr(catalog, "engine", None)


def advisory_key(name: str) -> int:
    """The catalog's advisory lock key: a stable signed 32-bit hash of its name."""
    return int.from_bytes(zlib.crc32(name.encode()).to_bytes(4, "big"), "big", signed=True)


@contextmanager
def _postgres_lock(engine: Any, name: str, holder: str, wait_s: float) -> Iterator[None]:
    key = advisory_key(name)
    with engine.connect() as conn:
        conn.execute(text("select set_config('application_name', :h, false)"), {"h": holder})

        def try_lock() -> bool:
            taken = conn.execute(
                text("select pg_try_advisory_lock(:space, :key)"), {"space": LOCK_SPACE, "key": key}
            ).scalar()
            conn.commit()
            return bool(taken)

        def describe() -> str:
            found = conn.execute(
                text(
                    "select a.application_name from pg_locks l join pg_stat_activity a "
                    "on a.pid = l.pid where l.locktype = 'advisory' and l.granted "
                    "and l.classid = (:space)::oid and l.objid = (:key)::bigint::oid "
                    "and l.objsubid = 2"
                ),
                {"space": LOCK_SPACE, "key": key & 0xFFFFFFFF},
            ).scalar()
            conn.commit()
            return str(found or "")

        _acquire(try_lock, describe, wait_s)
        try:
            yield
        finally:
            conn.execute(
                text("select pg_advisory_unlock(:space, :key)"), {"space": LOCK_SPACE, "key": key}
            )
            conn.commit()


@contextmanager
def file_lock(path: Path, holder: str, wait_s: float) -> Iterator[None]:
    """An exclusive flock on `path`, with the holder written in it while it is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        def describe() -> str:
            handle.seek(0)
            return handle.read().strip()

        _acquire(try_lock, describe, wait_s)
        try:
            _rewrite(handle, holder)
            yield
        finally:
            _rewrite(handle, "")
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rewrite(handle: IO[str], content: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(content)
    handle.flush()


def lock_file(catalog: Catalog, home: Path) -> Path:
    """The lock file of a catalog that has no PostgreSQL database."""
    engine = _catalog_engine(catalog)
    if engine is not None and engine.dialect.name == "sqlite" and engine.url.database:
        return Path(engine.url.database).with_suffix(".lock")
    return home / "locks" / f"{catalog.name}.lock"


@contextmanager
def run_lock(catalog: Catalog, home: Path, what: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the lakehouse for one run of `what` (ingest, transform, ...).

    Refused with LakehouseLocked, naming the holder, when another run holds it for longer
    than `wait_s` seconds.
    """
    holder = holder_text(what)
    engine = _catalog_engine(catalog)
    on_postgres = engine is not None and engine.dialect.name == "postgresql"
    key = (
        f"postgres:{getattr(engine, 'url', '')!r}:{catalog.name}"
        if on_postgres
        else str(lock_file(catalog, home))
    )
    with _HELD_GUARD:
        nested = key in _HELD
        _HELD[key] = _HELD.get(key, 0) + 1
    try:
        if nested:
            yield
        elif on_postgres:
            with _postgres_lock(engine, catalog.name, holder, wait_s):
                yield
        else:
            with file_lock(lock_file(catalog, home), holder, wait_s):
                yield
    finally:
        with _HELD_GUARD:
            _HELD[key] -= 1
            if not _HELD[key]:
                del _HELD[key]


@contextmanager
def lakehouse_lock(settings: Settings, what: str, wait_s: float = 0.0) -> Iterator[None]:
    """run_lock on the configured lakehouse: what a flow holds while it writes."""
    with run_lock(open_catalog(settings), settings.home_dir, what, wait_s):
        yield
