"""Superset's two secrets for the embedded demo: generated once, kept 0600 under PELOTON_HOME.

Superset needs an admin password and a secret key, and neither has a default. `peloton demo`
generates each one the environment leaves unset, the first time, into
PELOTON_HOME/superset/admin-password and PELOTON_HOME/superset/secret-key (readable by their
owner only), and reuses them afterwards. The other commands of the same PELOTON_HOME (`peloton
superset start|import|check|warm`, the pipeline's refresh of the chart cache) read those files
when the environment leaves a secret unset, but only for the embedded Superset, on a loopback
address: a Superset elsewhere needs both secrets from the environment, and nothing generates
them outside the demo. The environment always wins over the files.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from lakehouse.postgres.embedded import write_private
from lakehouse.settings import Settings, require_secret
from lakehouse.typed_env import Secret

LOOPBACK = ("127.0.0.1", "localhost", "::1")
PASSWORD_FILE = "admin-password"
SECRET_KEY_FILE = "secret-key"


@dataclass(frozen=True)
class DemoSecrets:
    """The settings with both secrets set, and the admin password if it was made just now."""

    settings: Settings
    new_password: str | None
    """The generated admin password, the one time it is generated (to print once); else None."""
    password_file: Path
    password_from_file: bool
    """Whether the admin password is the stored one (not from the environment)."""


def embedded(settings: Settings) -> bool:
    """Whether Superset is the embedded one: served on a loopback address of this machine."""
    return urlsplit(settings.superset.url).hostname in LOOPBACK


def secrets_dir(settings: Settings) -> Path:
    return settings.home_dir / "superset"


def _given(value: Secret | None) -> bool:
    return value is not None and bool(value.get_secret_value())


def _read(path: Path) -> Secret | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return Secret(text) if text else None


def with_stored_secrets(settings: Settings) -> Settings:
    """The settings, with each Superset secret the environment leaves unset read from the file
    the demo wrote (embedded Superset only; unchanged when there is no such file)."""
    sup = settings.superset
    if not embedded(settings) or (_given(sup.admin_password) and _given(sup.secret_key)):
        return settings
    folder = secrets_dir(settings)
    password = sup.admin_password if _given(sup.admin_password) else _read(folder / PASSWORD_FILE)
    key = sup.secret_key if _given(sup.secret_key) else _read(folder / SECRET_KEY_FILE)
    return replace(settings, superset=replace(sup, admin_password=password, secret_key=key))


def demo_secrets(settings: Settings) -> DemoSecrets:
    """Both secrets for the demo: from the environment, else the stored files, else generated
    now into those files (embedded Superset only; elsewhere a missing one is an error)."""
    folder = secrets_dir(settings)
    password_file = folder / PASSWORD_FILE
    stored = with_stored_secrets(settings)
    sup = stored.superset
    new_password: str | None = None
    if embedded(settings):
        folder.mkdir(parents=True, exist_ok=True)
        if not _given(sup.secret_key):
            write_private(folder / SECRET_KEY_FILE, secrets.token_urlsafe(48))
        if not _given(sup.admin_password):
            new_password = secrets.token_urlsafe(16)
            write_private(password_file, new_password)
        stored = with_stored_secrets(settings)
        sup = stored.superset
    require_secret(sup.secret_key, "PELOTON_SUPERSET__SECRET_KEY", "Superset")
    require_secret(sup.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "Superset's admin user")
    from_file = embedded(settings) and not _given(settings.superset.admin_password)
    return DemoSecrets(stored, new_password, password_file, from_file)
