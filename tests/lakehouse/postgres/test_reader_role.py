"""The read-only role: it reads every table the setup user creates, now and later; it writes
nothing, creates nothing, and its sessions are read-only."""

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from lakehouse.postgres.connect import reader_url
from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.postgres.roles import ensure_reader
from lakehouse.postgres.throwaway import reachable_home
from lakehouse.settings import Settings

pytestmark = pytest.mark.integration
ROLE = "test_reader"
PASSWORD = "a-reader-password"
REFUSED = (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


@pytest.fixture()
def reader(pg_conn: psycopg.Connection, postgres_url: str) -> Iterator[psycopg.Connection]:
    """A connection as the read-only role, made after one table and before another."""
    pg_conn.execute("drop schema if exists roles_src, roles_later cascade")
    pg_conn.execute("create schema roles_src")
    pg_conn.execute("create table roles_src.before_role as select 1 as x")
    pg_conn.commit()
    owner = urlsplit(postgres_url).username or ""
    ensure_reader(postgres_url, owner, PASSWORD, ROLE)
    pg_conn.execute("create table roles_src.after_role as select 2 as x")
    pg_conn.execute("create schema roles_later")
    pg_conn.execute("create table roles_later.t as select 3 as x")
    pg_conn.commit()
    with psycopg.connect(_as(postgres_url, ROLE, PASSWORD), autocommit=True) as conn:
        yield conn


def test_the_reader_reads_tables_made_before_and_after_it(reader: psycopg.Connection) -> None:
    assert reader.execute("select x from roles_src.before_role").fetchone() == (1,)
    assert reader.execute("select x from roles_src.after_role").fetchone() == (2,)
    assert reader.execute("select x from roles_later.t").fetchone() == (3,)
    assert reader.execute("show default_transaction_read_only").fetchone() == ("on",)


@pytest.mark.parametrize(
    "statement",
    [
        "insert into roles_src.before_role values (9)",
        "delete from roles_src.before_role",
        "drop table roles_src.before_role",
        "create table roles_src.mine (x int)",
        "set transaction read write; insert into roles_src.before_role values (9)",
        "create schema reader_owned",
    ],
)
def test_the_reader_changes_nothing(reader: psycopg.Connection, statement: str) -> None:
    with pytest.raises(psycopg.Error) as refused:
        reader.execute(statement)
    assert isinstance(refused.value, REFUSED)


def test_the_embedded_server_reads_through_its_reader() -> None:
    """`peloton postgres start` makes the role; extraction and Trino get its URL."""
    home = reachable_home("peloton-reader-")
    settings = Settings(home=home)
    server = EmbeddedPostgres(settings)
    try:
        admin = server.start()
        url = reader_url(settings)
        assert urlsplit(url).username == "peloton_reader" and url != admin
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("create schema race; create table race.t as select 1 as x")
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("select x from race.t").fetchone() == (1,)
            with pytest.raises(REFUSED):
                conn.execute("create table race.u (x int)")
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
