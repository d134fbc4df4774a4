"""`peloton ...` in a child process, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys


def peloton(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `peloton ARGS` with `env` on top of this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "lakehouse.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=timeout,
        check=False,
    )
