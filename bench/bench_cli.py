"""Start-up time of the `peloton` commands, beside the interpreter's start and typer's import.

Each command runs in a fresh process, as a user runs it, `--runs` times after one warm-up run;
the runs go round-robin over the commands and the baselines, so that the machine's noise falls
on all of them alike. Baselines of the same run: `python -c pass` (the interpreter's start) and
`python -c "import typer"` (the floor of any typer command line). Printed: the median and the
fastest wall time of each, the median CPU time (user + system, less sensitive than the wall
time to what else the machine runs), and the median wall time as a ratio to each baseline.
`peloton trino sql "SELECT 1"` is timed only when `peloton trino status` finds a Trino that
answers (no server is started); `postgres status` and `trino status` only report, whether a
server runs or not.

    python bench/bench_cli.py              # 15 runs each
    python bench/bench_cli.py --runs 40
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def _cpu_s() -> float:
    """User + system time of this process's finished children so far (s)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str]) -> tuple[float, float, int]:
    """Wall time (s), CPU time (s) and exit code of one run, its output discarded."""
    cpu, start = _cpu_s(), time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu_s() - cpu, done.returncode


def _measure(
    commands: dict[str, list[str]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[int]]]:
    """Wall and CPU times and exit codes of each command: one warm-up run, then interleaved."""
    for command in commands.values():
        _run(command)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, list[int]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            wall, cpu, code = _run(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
            codes[name].append(code)
    return walls, cpus, codes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Timed runs of each command.")
    args = parser.parse_args()

    answering = _run(COMMANDS["peloton trino status"])[2] == 0
    commands = {**BASELINES, **COMMANDS, **(dict([SQL]) if answering else {})}
    walls, cpus, codes = _measure(commands, args.runs)
    medians = {name: statistics.median(t) for name, t in walls.items()}
    python, typer = (medians[name] for name in BASELINES)

    print(f"{args.runs} runs each ({' '.join(PELOTON)}); ratios of the median wall time")
    print(f"{'command':<32} {'median':>8} {'fastest':>8} {'cpu':>8} {'/ python':>9} {'/ typer':>8}")
    for name, t in walls.items():
        median = medians[name]
        print(
            f"{name:<32} {median:>7.3f}s {min(t):>7.3f}s {statistics.median(cpus[name]):>7.3f}s "
            f"{median / python:>8.1f}x {median / typer:>7.2f}x"
        )
    for name, found in codes.items():
        if len(set(found)) > 1:  # a run that ended otherwise than the others is no timing
            print(f"{name}: exit codes differ between runs: {found}")
    if not answering:
        print(f"{SQL[0]:<32} skipped: `peloton trino status` finds no Trino that answers")


if __name__ == "__main__":
    main()
