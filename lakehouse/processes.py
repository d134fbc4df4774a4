"""Stopping the servers Peloton started, by the pid they recorded."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable


def stop_process(pid_of: Callable[[], int | None], grace_s: float = 60.0) -> bool:
    """SIGTERM the process `pid_of` names, SIGKILL it after `grace_s`; False if none ran.

    `pid_of` is asked again while waiting: it must answer None once the process is gone (and
    for a pid now held by an unrelated process).
    """
    pid = pid_of()
    if pid is None:
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and pid_of() is not None:
            time.sleep(0.2)
        if pid_of() is None:
            break
    return True
