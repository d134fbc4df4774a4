"""Peloton's Trino client against a Trino behind TLS that authenticates its users (a cluster)."""

from pathlib import Path

import pytest
from trino_protocol_server import PAGES, ROWS_PER_PAGE, tls_trino

from lakehouse.errors import ConfigurationError, PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

PASSWORD = "etl-secret-pw"


def _settings(tmp_path: Path, port: int, ca: Path | None, **trino: object) -> Settings:
    values = {"host": "127.0.0.1", "port": port, "http_scheme": "https", "ca_file": ca}
    return Settings(home=tmp_path, trino={**values, **trino})


def test_run_sql_over_https_with_the_users_password(tmp_path: Path) -> None:
    with tls_trino(tmp_path, {"etl": PASSWORD}) as (port, ca, seen):
        result = run_sql(_settings(tmp_path, port, ca, password=PASSWORD), "SELECT n")
    assert result.columns == ["n"]
    assert [n for (n,) in result.rows] == list(range(PAGES * ROWS_PER_PAGE))  # every page
    assert all(h["x-trino-user"] == "etl" for h in seen.headers)
    assert all(h["authorization"].startswith("Basic ") for h in seen.headers)


def test_a_wrong_password_and_an_unknown_certificate_are_refused(tmp_path: Path) -> None:
    with tls_trino(tmp_path, {"etl": PASSWORD}) as (port, ca, _):
        with pytest.raises(PelotonError, match="HTTP 401"):
            run_sql(_settings(tmp_path, port, ca, password="wrong"), "SELECT n")
        with pytest.raises(PelotonError, match="CERTIFICATE_VERIFY_FAILED"):
            run_sql(_settings(tmp_path, port, None, password=PASSWORD), "SELECT n")


def test_a_password_is_never_sent_in_clear_text(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, trino={"http_scheme": "http", "password": PASSWORD})
    with pytest.raises(ConfigurationError, match="only sent over https"):
        run_sql(settings, "SELECT 1")
