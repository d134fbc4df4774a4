"""Settings from variables and a .env file: types, precedence, errors that name the field."""

from dataclasses import replace
from pathlib import Path

import pytest

from lakehouse.settings import Settings, TransformSettings
from lakehouse.typed_env import Secret, SettingsError, read_dotenv


def test_dotenv_is_read_and_the_environment_wins(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_settings / ".env").write_text(
        "# local overrides\n"
        "export PELOTON_TRINO__PORT=8181\n"
        "PELOTON_TRINO__HEAP='3G'\n"
        "peloton_catalog__kind=sqlite\n"
        "\n"
        'PELOTON_SUPERSET__SECRET_KEY="from-file"\n'
    )
    monkeypatch.setenv("PELOTON_TRINO__PORT", "9090")
    settings = Settings()
    assert settings.trino.port == 9090  # the environment wins over .env
    assert settings.trino.heap == "3G"  # quotes removed
    assert settings.catalog.kind == "sqlite"  # names match without regard to case
    assert settings.superset.secret_key == Secret("from-file")


def test_explicit_values_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELOTON_TRINO__PORT", "9090")
    monkeypatch.setenv("PELOTON_TRINO__HOST", "trino.example")
    settings = Settings(trino={"port": 7070})
    assert (settings.trino.host, settings.trino.port) == ("trino.example", 7070)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "PELOTON_TRINO__PORT",
            "eighty",
            r"trino\.port \(PELOTON_TRINO__PORT\): expected an integer, got 'eighty'",
        ),
        (
            "PELOTON_TRANSFORM__WORKERS",
            "0",
            r"transform\.workers \(PELOTON_TRANSFORM__WORKERS\): expected an integer >= 1",
        ),
        ("PELOTON_TRANSFORM__RUNNER", "ray", r"expected one of 'threads', 'dask', got 'ray'"),
    ],
)
def test_a_bad_variable_is_named_with_what_was_expected(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message):
        Settings()


def test_an_unknown_explicit_setting_is_refused_and_the_known_ones_listed() -> None:
    with pytest.raises(SettingsError, match=r"trino\.prot .*no such setting; there are .*port"):
        Settings(trino={"prot": 1})


def test_unknown_variables_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELOTON_TRINO__NOT_A_SETTING", "x")
    monkeypatch.setenv("PELOTON_SOMETHING_ELSE", "y")
    assert Settings().trino.port == 8080


def test_a_secret_is_never_shown() -> None:
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) + str(secret)
    settings = Settings(superset={"admin_password": "hunter2"})
    assert "hunter2" not in repr(settings)
    with pytest.raises(SettingsError) as refused:
        Settings(superset={"admin_password": 12345})
    assert "12345" not in str(refused.value)


def test_a_copy_with_changes_is_checked_too() -> None:
    part = TransformSettings()
    assert replace(part, workers=4).workers == 4
    with pytest.raises(SettingsError, match=r"workers: expected an integer >= 1, got 0"):
        replace(part, workers=0)
    assert replace(Settings(), home="elsewhere").home == Path("elsewhere")


def test_dotenv_lines_without_a_value_are_skipped(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("JUST_A_WORD\nA=1\nB = two words \n")
    assert read_dotenv(env) == {"A": "1", "B": "two words"}
    assert read_dotenv(tmp_path / "missing.env") == {}
