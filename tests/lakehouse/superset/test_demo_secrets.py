"""Superset's secrets for the embedded demo: made once, 0600, reused; required elsewhere."""

from pathlib import Path

import pytest

from lakehouse.errors import MissingSecretError
from lakehouse.settings import Settings
from lakehouse.superset.secrets import (
    PASSWORD_FILE,
    SECRET_KEY_FILE,
    demo_secrets,
    with_stored_secrets,
)
from lakehouse.superset.server import SupersetServer


def _value(settings: Settings, name: str) -> str:
    secret = getattr(settings.superset, name)
    assert secret is not None
    return str(secret.get_secret_value())


def test_made_on_first_use_kept_0600_then_reused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first = demo_secrets(settings)
    folder = tmp_path / "superset"
    for name in (PASSWORD_FILE, SECRET_KEY_FILE):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    password = _value(first.settings, "admin_password")
    assert first.new_password == password == (folder / PASSWORD_FILE).read_text()
    assert first.password_from_file
    key = _value(first.settings, "secret_key")
    assert len(key) >= 32 and key != password
    again = demo_secrets(settings)
    assert again.new_password is None  # printed once, the first time only
    assert _value(again.settings, "admin_password") == password
    assert _value(again.settings, "secret_key") == key


def test_the_environment_wins_and_nothing_is_generated_for_what_it_sets(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, superset={"admin_password": "from-the-environment"})
    made = demo_secrets(settings)
    assert made.new_password is None and not made.password_from_file
    assert _value(made.settings, "admin_password") == "from-the-environment"
    assert not (tmp_path / "superset" / PASSWORD_FILE).exists()
    assert (tmp_path / "superset" / SECRET_KEY_FILE).exists()


def test_other_commands_read_the_stored_secrets_never_make_them(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert with_stored_secrets(settings).superset.admin_password is None
    assert not (tmp_path / "superset").exists()
    made = demo_secrets(settings)
    server = SupersetServer(settings)  # as `peloton superset start|stop` builds it
    assert server.settings.superset.admin_password == made.settings.superset.admin_password
    assert server.settings.superset.secret_key == made.settings.superset.secret_key


def test_a_superset_elsewhere_needs_both_from_the_environment(tmp_path: Path) -> None:
    local = Settings(home=tmp_path)
    demo_secrets(local)  # files exist in this PELOTON_HOME
    remote = Settings(home=tmp_path, superset={"url": "https://superset.example.org"})
    assert with_stored_secrets(remote).superset.admin_password is None
    with pytest.raises(MissingSecretError) as raised:
        demo_secrets(Settings(home=tmp_path / "other", superset={"url": "https://bi.example.org"}))
    assert raised.value.variable == "PELOTON_SUPERSET__SECRET_KEY"
    assert not (tmp_path / "other").exists()
