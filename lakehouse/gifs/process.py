"""The exports server as a background process (`peloton gif start|stop`), as the demo runs it.

`start` launches `peloton gif serve` detached, its output in PELOTON_HOME/gifs/server.log and
its pid in PELOTON_HOME/gifs/server.pid, and waits until it answers; `stop` ends it. The pid is
trusted only while that process is still a `gif serve` of this PELOTON_HOME.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from lakehouse.errors import PelotonError
from lakehouse.processes import stop_process
from lakehouse.settings import Settings

START_TIMEOUT_S = 60.0


class ExportsServerProcess:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.home_dir / "gifs"
        self.pid_file = self.root / "server.pid"
        self.log = self.root / "server.log"

    @property
    def url(self) -> str:
        return f"http://{self.settings.gifs.host}:{self.settings.gifs.port}"

    def pid(self) -> int | None:
        """The server's pid while it runs, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except (OSError, ValueError):
            return None
        ours = b"serve" in command and f"PELOTON_HOME={self.settings.home_dir}".encode() in environ
        return pid if ours else None

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/gallery.css", timeout=2) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def start(self) -> str:
        """Start the server unless it runs; its URL once it answers."""
        if self.pid() is not None and self.answers():
            return self.url
        self.root.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"PELOTON_HOME": str(self.settings.home_dir)}
        with self.log.open("ab") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "lakehouse.cli", "gif", "serve"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{child.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise PelotonError(
                    f"the exports server exited with code {child.returncode}; see {self.log}"
                )
            if self.answers():
                return self.url
            time.sleep(0.2)
        raise PelotonError(f"the exports server did not answer at {self.url}; see {self.log}")

    def stop(self) -> bool:
        """Stop the server; False if it was not running."""
        return stop_process(self.pid, grace_s=10)
