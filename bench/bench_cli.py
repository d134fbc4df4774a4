"""Start-up time of the `peloton` commands, beside the interpreter's start and typer's import.

Each command runs in a fresh process, as a user runs it, `--runs` times after one warm-up run;
the runs go round-robin over the commands and the baselines, so that the machine's noise falls
on all of them alike. Baselines of the same run: `python -c pass` (the interpreter's start) and
`python -c "import typer"` (the floor of any typer command line). Printed: the median and the
fastest wall time of each, the median CPU time (user + system, less sensitive than the wall
time to what else the machine runs), and the median wall time as a ratio to each baseline.
`postgres status` and `trino status` only report, whether a server runs or not.

`peloton trino sql "SELECT 1"` is timed against a stand-in Trino in this process: a local HTTP
server that answers the client protocol's first POST at once with the finished result, and
records when the POST arrived. The time from the process's launch to that arrival is the
command's start-up (interpreter, imports, settings, the connection), printed apart ("to
query"); what follows (the answer read, the row printed, the exit) is the rest of its wall
time. When `peloton trino status` finds a real Trino that answers (none is started), the same
command is timed against it too: its wall time adds Trino's planning and answer.

    python bench/bench_cli.py              # 15 runs each
    python bench/bench_cli.py --runs 40
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

PYTHON = [sys.executable]
SCRIPT = Path(sys.executable).with_name("peloton")
PELOTON = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "lakehouse.cli"]

BASELINES: dict[str, list[str]] = {
    "python -c pass": [*PYTHON, "-c", "pass"],
    'python -c "import typer"': [*PYTHON, "-c", "import typer"],
}
COMMANDS: dict[str, list[str]] = {
    "peloton --help": [*PELOTON, "--help"],
    "peloton postgres status": [*PELOTON, "postgres", "status"],
    "peloton trino status": [*PELOTON, "trino", "status"],
}
SQL = ('peloton trino sql "SELECT 1"', [*PELOTON, "trino", "sql", "SELECT 1"])
STAND_IN = f"{SQL[0]} (stand-in)"
FINISHED = {
    "id": "stand-in",
    "columns": [{"name": "_col0", "type": "integer"}],
    "data": [[1]],
    "stats": {"state": "FINISHED"},
}


class _StandIn(BaseHTTPRequestHandler):
    """Trino's client protocol, the first POST answered at once with the finished result."""

    arrivals: ClassVar[list[float]] = []

    def do_POST(self) -> None:
        self.arrivals.append(time.perf_counter())
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(FINISHED).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def stand_in() -> Iterator[int]:
    """The stand-in Trino on a free loopback port, for the duration: its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _cpu_s() -> float:
    """User + system time of this process's finished children so far (s)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Runs:
    """Each command's wall and CPU times, exit codes, and times until its query reached the
    stand-in (those that sent one)."""

    def __init__(self, names: list[str]) -> None:
        self.walls: dict[str, list[float]] = {name: [] for name in names}
        self.cpus: dict[str, list[float]] = {name: [] for name in names}
        self.codes: dict[str, list[int]] = {name: [] for name in names}
        self.sent: dict[str, list[float]] = {name: [] for name in names}


def _run(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, int, float | None]:
    """Wall time (s), CPU time (s) and exit code of one run, its output discarded, and the
    time from its launch until its query reached the stand-in (None if none did)."""
    seen = len(_StandIn.arrivals)
    cpu, start = _cpu_s(), time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    sent = _StandIn.arrivals[seen] - start if len(_StandIn.arrivals) > seen else None
    return wall, _cpu_s() - cpu, done.returncode, sent


def _measure(commands: dict[str, list[str]], envs: dict[str, dict[str, str]], runs: int) -> Runs:
    """Each command timed: one warm-up run, then the runs interleaved."""
    for name, command in commands.items():
        _run(command, envs.get(name))
    found = Runs(list(commands))
    for _ in range(runs):
        for name, command in commands.items():
            wall, cpu, code, sent = _run(command, envs.get(name))
            found.walls[name].append(wall)
            found.cpus[name].append(cpu)
            found.codes[name].append(code)
            if sent is not None:
                found.sent[name].append(sent)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Timed runs of each command.")
    args = parser.parse_args()

    answering = _run(COMMANDS["peloton trino status"])[2] == 0
    with stand_in() as port:
        commands = {**BASELINES, **COMMANDS, STAND_IN: SQL[1]}
        if answering:
            commands[SQL[0]] = SQL[1]
        to_stand_in = os.environ | {"PELOTON_TRINO__HOST": "127.0.0.1"}
        envs = {STAND_IN: to_stand_in | {"PELOTON_TRINO__PORT": str(port)}}
        found = _measure(commands, envs, args.runs)
    _report(found, args.runs)
    if not answering:
        print(f"{SQL[0]:<44} against a real Trino: skipped, `peloton trino status` finds none")


def _report(found: Runs, runs: int) -> None:
    medians = {name: statistics.median(t) for name, t in found.walls.items()}
    python, typer = (medians[name] for name in BASELINES)
    print(f"{runs} runs each ({' '.join(PELOTON)}); ratios of the median wall time")
    print(
        f"{'command':<44} {'median':>8} {'fastest':>8} {'cpu':>8} {'/ python':>9} {'/ typer':>8}"
        f" {'to query':>9} {'fastest':>8}"
    )
    for name, t in found.walls.items():
        median, sent = medians[name], found.sent[name]
        to_query = f" {statistics.median(sent):>8.3f}s {min(sent):>7.3f}s" if sent else ""
        print(
            f"{name:<44} {median:>7.3f}s {min(t):>7.3f}s "
            f"{statistics.median(found.cpus[name]):>7.3f}s "
            f"{median / python:>8.1f}x {median / typer:>7.2f}x{to_query}"
        )
    for name, codes in found.codes.items():
        if len(set(codes)) > 1:  # a run that ended otherwise than the others is no timing
            print(f"{name}: exit codes differ between runs: {codes}")
    if set(found.codes[STAND_IN]) != {0}:
        print(f"{STAND_IN}: failed runs, exit codes {found.codes[STAND_IN]}")
    if len(found.sent[STAND_IN]) != runs:
        print(f"{STAND_IN}: {len(found.sent[STAND_IN])} of {runs} runs reached the stand-in")
    if SQL[0] in medians:
        query = medians[SQL[0]] - medians[STAND_IN]
        print(f"Trino's answer to SELECT 1 (real minus stand-in, medians): {query:.3f} s")


if __name__ == "__main__":
    main()
