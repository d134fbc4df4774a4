from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from lakehouse.errors import MissingSecretError
from lakehouse.settings import Settings, get_settings, require_secret
from lakehouse.typed_env import description


def test_defaults_are_embedded(isolated_settings: Path) -> None:
    settings = Settings()
    assert settings.source.url is None
    assert settings.catalog.kind == "sql"
    assert settings.home_dir == isolated_settings.resolve()


def test_nested_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELOTON_SOURCE__URL", "postgresql://u:pw@db:5432/race")
    monkeypatch.setenv("PELOTON_TRINO__PORT", "8181")
    monkeypatch.setenv("PELOTON_CATALOG__KIND", "rest")
    settings = get_settings()
    assert settings.source.url is not None
    assert settings.source.url.get_secret_value() == "postgresql://u:pw@db:5432/race"
    assert "pw" not in repr(settings)  # secrets are masked
    assert settings.trino.port == 8181
    assert settings.catalog.kind == "rest"


def test_bad_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELOTON_CATALOG__KIND", "oracle")
    with pytest.raises(ValueError, match=r"catalog\.kind"):
        Settings()


def test_every_field_is_described() -> None:
    settings = Settings()
    for field in fields(Settings):
        assert description(field), field.name
        part = getattr(settings, field.name)
        for sub in fields(part) if is_dataclass(part) else ():
            assert description(sub), f"{field.name}.{sub.name}"


def test_missing_secret_fails_fast_naming_the_variable() -> None:
    settings = Settings()
    with pytest.raises(MissingSecretError, match=r"PELOTON_SUPERSET__ADMIN_PASSWORD is not set"):
        require_secret(settings.superset.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "x")


def test_present_secret_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELOTON_SUPERSET__SECRET_KEY", "k3y")
    key = get_settings().superset.secret_key
    assert require_secret(key, "PELOTON_SUPERSET__SECRET_KEY", "x") == "k3y"
