"""Superset in its own virtualenv under PELOTON_HOME/superset, served by gunicorn on loopback.

Superset pins SQLAlchemy < 2 and Peloton needs >= 2, so Superset never shares Peloton's
environment: `superset/requirements.txt` is installed with `superset/constraints.txt` into
PELOTON_HOME/superset/venv, once (again only when either file changes). The metadata database
(SQLite), the admin user and the roles are created once. The admin password and the secret key
have no default: starting without them fails and names the variable (for the embedded Superset,
the ones `peloton demo` generated under PELOTON_HOME are used: lakehouse.superset.secrets).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from lakehouse.assets import part_dir
from lakehouse.errors import PelotonError
from lakehouse.processes import stop_process
from lakehouse.settings import Settings, require_secret
from lakehouse.superset.secrets import with_stored_secrets

START_TIMEOUT_S = 180.0
THREADS = 4
"""Threads of each gunicorn worker (`superset.workers` of them): chart data requests wait on
Trino and on the cache, not on the CPU."""


def admin_env(env: dict[str, str], user: str, password: str) -> dict[str, str]:
    """The environment of the admin-creating script: the password goes there, not in argv."""
    return {**env, "PELOTON_SUPERSET_ADMIN_USER": user, "PELOTON_SUPERSET_ADMIN_PASSWORD": password}


class SupersetServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = with_stored_secrets(settings)
        self.root = settings.home_dir / "superset"
        self.venv = self.root / "venv"
        self.log = self.root / "superset.log"
        self.pid_file = self.root / "gunicorn.pid"

    @property
    def url(self) -> str:
        return self.settings.superset.url.rstrip("/")

    def _env(self) -> dict[str, str]:
        sup = self.settings.superset
        secret = require_secret(sup.secret_key, "PELOTON_SUPERSET__SECRET_KEY", "Superset")
        return {
            "PATH": f"{self.venv / 'bin'}:{os.environ.get('PATH', '')}",
            "HOME": os.environ.get("HOME", str(self.root)),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "SUPERSET_CONFIG_PATH": str(part_dir("superset") / "superset_config.py"),
            "SUPERSET_HOME_DIR": str(self.root),
            "SUPERSET_SECRET_KEY": secret,
            "FLASK_APP": "superset",
        }

    def _requirements_digest(self) -> str:
        folder = part_dir("superset")
        text = b"".join(
            (folder / name).read_bytes() for name in ("requirements.txt", "constraints.txt")
        )
        return hashlib.sha1(text).hexdigest()

    def install(self, log: Callable[[str], None] = lambda _: None) -> None:
        """Create the virtualenv and install Superset, unless it is there and up to date."""
        marker = self.venv / ".peloton-requirements"
        digest = self._requirements_digest()
        if marker.is_file() and marker.read_text() == digest:
            return
        log(f"installing Superset into {self.venv} (about a minute, once)")
        shutil.rmtree(self.venv, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self._run([sys.executable, "-m", "venv", str(self.venv)], "create the virtualenv")
        uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
        python = str(self.venv / "bin" / "python")
        folder = part_dir("superset")
        requirements = ["-r", str(folder / "requirements.txt")]
        constraints = ["-c", str(folder / "constraints.txt")]
        if Path(uv).is_file():
            command = [uv, "pip", "install", "--quiet", "--python", python]
        else:
            command = [python, "-m", "pip", "install", "--quiet"]
        self._run([*command, *requirements, *constraints], "install Superset", timeout=1200)
        marker.write_text(digest)

    def _run(
        self, command: list[str], what: str, env: dict[str, str] | None = None, timeout: float = 600
    ) -> None:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PelotonError(f"could not {what} within {timeout:.0f} s") from None
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise PelotonError(f"could not {what}: {tail}")

    def initialize(self, log: Callable[[str], None] = lambda _: None) -> None:
        """Metadata database, admin user and roles (each command is safe to repeat)."""
        sup = self.settings.superset
        password = require_secret(
            sup.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "Superset's admin user"
        )
        env = self._env()
        superset = str(self.venv / "bin" / "superset")
        marker = self.root / ".initialized"
        if marker.is_file():
            return
        log("creating Superset's metadata database, admin user and roles (once)")
        self._run([superset, "db", "upgrade"], "upgrade Superset's metadata database", env)
        self._run([superset, "init"], "initialize Superset's roles", env)
        python = str(self.venv / "bin" / "python")
        script = str(part_dir("superset") / "create_admin.py")
        self._run(
            [python, script],
            "create Superset's admin user",
            admin_env(env, sup.admin_user, password),
        )
        marker.write_text("ok")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=3) as response:
                return bool(response.read().decode().strip() == "OK")
        except (urllib.error.URLError, OSError):
            return False

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if b"gunicorn" in command and str(self.root).encode() in command else None

    def start(self, log: Callable[[str], None] = lambda _: None) -> None:
        """Install and initialize once, then serve on the configured loopback address."""
        self._env()  # fail fast on a missing secret, before a minute of installing
        require_secret(
            self.settings.superset.admin_password,
            "PELOTON_SUPERSET__ADMIN_PASSWORD",
            "Superset's admin user",
        )
        self.install(log)
        self.initialize(log)
        if self._pid() is not None and self.healthy():
            log(f"Superset already answers at {self.url}")
            return
        parts = urlsplit(self.url)
        bind = f"{parts.hostname or '127.0.0.1'}:{parts.port or 8088}"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            subprocess.Popen(
                [
                    str(self.venv / "bin" / "gunicorn"),
                    "--bind",
                    bind,
                    "--workers",
                    str(self.settings.superset.workers),
                    "--threads",
                    str(THREADS),
                    "--worker-class",
                    "gthread",
                    "--timeout",
                    "300",
                    "--limit-request-line",
                    "0",
                    "--limit-request-field_size",
                    "0",
                    "--no-control-socket",
                    "--pid",
                    str(self.pid_file),
                    "--chdir",
                    str(self.root),
                    "superset.app:create_app()",
                ],
                env=self._env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.healthy():
                log(f"Superset answers at {self.url} (log: {self.log})")
                return
            time.sleep(0.5)
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        raise PelotonError(f"Superset did not answer at {self.url} within 180 s:\n{tail}")

    def stop(self) -> bool:
        """Stop the server (gracefully, then by force after 30 s); False if it was not running."""
        return stop_process(self._pid, grace_s=30)
