"""Peloton's Trino client against a Trino behind TLS that authenticates its users (a cluster)."""

from pathlib import Path

import pytest
from trino_protocol_server import PAGES, ROWS_PER_PAGE, tls_trino

from lakehouse.errors import ConfigurationError, PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql, server_for

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


BOT_PASSWORD = "bot-secret-pw"


def test_each_user_sends_its_own_password(tmp_path: Path) -> None:
    users = {"etl": PASSWORD, "bot": BOT_PASSWORD}
    with tls_trino(tmp_path, users) as (port, ca, seen):
        settings = _settings(
            tmp_path, port, ca, password=PASSWORD, passwords=f'{{"bot": "{BOT_PASSWORD}"}}'
        )
        run_sql(settings, "SELECT n", user="bot")
        run_sql(settings, "SELECT n")
        with pytest.raises(PelotonError, match="HTTP 401"):
            run_sql(settings, "SELECT n", user="bi")  # no password of its own
    sent = {(h["x-trino-user"], h.get("authorization")) for h in seen.headers}
    assert {user for user, _ in sent} == {"bot", "etl", "bi"}
    assert (
        server_for(settings, "bot").password,
        server_for(settings, "etl").password,
        server_for(settings, "bi").password,
    ) == (BOT_PASSWORD, PASSWORD, None)


def test_another_users_password_is_never_sent_in_clear_text(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, trino={"http_scheme": "http", "passwords": '{"bot": "pw"}'})
    with pytest.raises(ConfigurationError, match="only sent over https"):
        run_sql(settings, "SELECT 1", user="bot")
    with pytest.raises(ConfigurationError, match="only sent over https"):
        run_sql(settings, "SELECT 1")


def test_malformed_passwords_are_refused_without_showing_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PELOTON_TRINO__PASSWORDS") as caught:
        Settings(home=tmp_path, trino={"passwords": "bot=hunter2"})
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(Settings(home=tmp_path, trino={"passwords": '{"bot": "hunter2"}'}))
