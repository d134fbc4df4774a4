"""Shared by the flow tests: the simulated race's source schema, a `peloton` that must succeed."""

import subprocess

from cli_helpers import peloton

SCHEMA = "flow_src"


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`peloton ARGS` in a child process with `env` on top of this one's; must succeed."""
    done = peloton(*args, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done
