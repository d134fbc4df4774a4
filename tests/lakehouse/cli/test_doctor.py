"""`peloton doctor` against real parts: the test PostgreSQL and a local HTTP endpoint."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

import lakehouse.cli  # noqa: F401  (registers the commands)
from lakehouse.cli.app import app
from lakehouse.settings import get_settings

PARTS = ["source database", "catalog", "storage", "java", "trino", "superset", "llm"]


class _Models(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        ok = self.path == "/v1/models" and self.headers.get("Authorization") == "Bearer sk-test"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"data": [{"id": "m"}]} if ok else {}).encode())


@pytest.fixture()
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


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
def test_configured_parts_are_reachable(
    postgres_url: str, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PELOTON_SOURCE__URL", postgres_url)
    monkeypatch.setenv("PELOTON_LLM__OFFLINE", "false")
    monkeypatch.setenv("PELOTON_LLM__BASE_URL", endpoint)
    monkeypatch.setenv("PELOTON_LLM__API_KEY", "sk-test")
    result = CliRunner().invoke(app, ["doctor", "--json"])
    checks = {c["part"]: c for c in json.loads(result.stdout)}
    password = postgres_url.split(":")[2].split("@")[0]
    assert password not in result.stdout and "sk-test" not in result.stdout
    assert (
        checks["source database"]["ok"] and "PostgreSQL 18" in checks["source database"]["detail"]
    )
    assert checks["catalog"]["ok"]
    assert checks["llm"]["ok"] and "HTTP 200" in checks["llm"]["detail"]
    monkeypatch.setenv("PELOTON_LLM__API_KEY", "sk-wrong")
    get_settings.cache_clear()
    checks = {c["part"]: c for c in _doctor()[1]}
    assert not checks["llm"]["ok"] and "HTTP 401" in checks["llm"]["detail"]
