"""`peloton doctor` against real parts: the test PostgreSQL."""

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import lakehouse.cli  # noqa: F401  (registers the commands)
from lakehouse.cli.app import app

PARTS = ["source database", "catalog", "storage", "java", "trino", "superset", "llm"]


def _doctor(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(app, ["doctor", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_nothing_running_reports_fixes() -> None:
    code, checks = _doctor()
    assert code == 0
    assert [c["part"] for c in checks] == PARTS
    source = checks[0]
    assert source["ok"] is False and "peloton postgres start" in source["fix"]
    assert all(c["fix"] for c in checks if not c["ok"])
    code, _ = _doctor("--strict")
    assert code == 1


@pytest.mark.integration
def test_configured_parts_are_reachable(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PELOTON_SOURCE__URL", postgres_url)
    result = CliRunner().invoke(app, ["doctor", "--json"])
    checks = {c["part"]: c for c in json.loads(result.stdout)}
    password = postgres_url.split(":")[2].split("@")[0]
    assert password not in result.stdout
    assert (
        checks["source database"]["ok"] and "PostgreSQL 18" in checks["source database"]["detail"]
    )
    assert checks["catalog"]["ok"]
