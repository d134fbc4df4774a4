"""What the benchmarks share: a source database to run against, and the peak memory."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lakehouse.postgres.throwaway import throwaway_server


@contextmanager
def source_database() -> Iterator[str]:
    """PELOTON_SOURCE__URL if set, else an embedded PostgreSQL in a temporary folder."""
    if os.environ.get("PELOTON_SOURCE__URL"):
        yield os.environ["PELOTON_SOURCE__URL"]
        return
    with throwaway_server("peloton-bench-", parent="/var/tmp") as url:
        yield url


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB).

    VmHWM (Linux) is the high-water mark of this program alone; getrusage's ru_maxrss would
    also count what the parent held when it forked a benchmark's worker process.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
