"""`peloton bot serve`'s HTTP API, and its chat page in a real Chromium (Playwright)."""

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence

import pytest

from lakehouse.bot.context import Context
from lakehouse.bot.search import Hit, Index
from lakehouse.bot.server import make_server
from lakehouse.bot.tables import BOT_USER
from lakehouse.ports import free_port
from lakehouse.settings import Settings
from lakehouse.superset.browser import CHROMIUM, CHROMIUM_ARGS
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def url(bot: Context) -> Iterator[str]:
    port = free_port()
    server = make_server(bot, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    server.server_close()


def _post(url: str, body: bytes) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url + "api/ask", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_api_answers_and_refuses_bad_requests(url: str, bot: Context) -> None:
    stage = bot.stages[0]
    status, answer = _post(url, json.dumps({"question": f"who won stage {stage}?"}).encode())
    assert status == 200 and answer["intent"] == "stage_winner" and answer["mode"] == "offline"
    status, error = _post(url, b"not json")
    assert status == 400 and "question" in str(error["error"])
    status, error = _post(url, json.dumps({"question": " "}).encode())
    assert status == 400 and "empty" in str(error["error"])
    with urllib.request.urlopen(url + "api/health", timeout=10) as response:
        assert json.loads(response.read()) == {"ok": True, "mode": "offline"}


def test_the_chat_page_in_chromium(url: str, bot: Context, lake: Settings) -> None:
    from playwright.sync_api import sync_playwright

    stage = bot.stages[-1]
    (winner,) = run_sql(
        lake, f"SELECT winner_name FROM marts.stage_summary WHERE stage = {stage}", BOT_USER
    ).rows[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.fill("#question", f"qui a gagné la {stage}e étape ?")
            page.click("button[type=submit]")
            page.wait_for_selector(".turn.known", timeout=60_000)
            assert str(winner) in page.inner_text(".turn.known .answer")
            sql = page.text_content(".turn.known pre.sql") or ""  # inside a closed <details>
            assert sql.startswith("SELECT winner_name")
            assert page.input_value("#question") == ""

            page.fill("#question", "how far behind the yellow jersey is Merckx?")
            page.click("button[type=submit]")
            page.wait_for_selector(".turn.unknown", timeout=60_000)
            assert "No rider named 'Merckx'" in page.inner_text(".turn.unknown .answer")
        finally:
            browser.close()


class FailingIndex(Index):
    """A stand-in index whose search fails in a way nothing expects."""

    def search(self, query: str, k: int = 5, kinds: Sequence[str] | None = None) -> list[Hit]:
        raise RuntimeError("the index's vectors are corrupt")


def test_an_unexpected_failure_is_a_500_with_a_json_error_not_a_dropped_connection(
    bot: Context,
) -> None:
    broken = FailingIndex(bot.index.documents, bot.index.vectors, bot.index.embedder)
    ctx = Context(bot.settings, broken, bot.directory, bot.allowed)
    port = free_port()
    server = make_server(ctx, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        status, error = _post(url, json.dumps({"question": "who won stage 16?"}).encode())
        assert status == 500
        assert error == {"error": "the bot failed: RuntimeError: the index's vectors are corrupt"}
        status, _ = _post(url, json.dumps({"question": " "}).encode())
        assert status == 400  # the server still answers
    finally:
        server.shutdown()
        server.server_close()
