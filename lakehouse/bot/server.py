"""`peloton bot serve`: the bot's HTTP API and a small chat page, on loopback by default.

`GET /` the chat page (`llm/chat.html`); `POST /api/ask` with `{"question": ..., "offline":
false}` answers with the answer's JSON (as `peloton ask --json`), or 400 and `{"error": ...}` for
a bad question (500 and `{"error": ...}` if answering failed unexpectedly: every request gets an
answer); `GET /api/health` says the mode. One context (index, names) serves every
request; answers are computed one at a time.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lakehouse.assets import part_dir
from lakehouse.bot.ask import ask
from lakehouse.bot.context import Context
from lakehouse.errors import PelotonError

MAX_BODY = 16_384


def _handler(ctx: Context, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    page = (part_dir("llm") / "chat.html").read_bytes()
    mode = "model" if ctx.settings.llm.base_url else "offline"

    class Handler(BaseHTTPRequestHandler):
        server_version = "peloton-bot"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._send(status, json.dumps(value, default=str, ensure_ascii=False).encode())

        def do_GET(self) -> None:
            if self.path in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
            elif self.path == "/api/health":
                self._json(200, {"ok": True, "mode": mode})
            else:
                self._json(404, {"error": f"no page {self.path}: / and /api/ask"})

        def do_POST(self) -> None:
            try:
                status, value = self._answer()
            except Exception as exc:  # every request gets an answer, a clear error at worst
                status, value = 500, {"error": f"the bot failed: {type(exc).__name__}: {exc}"}
            self._json(status, value)

        def _answer(self) -> tuple[int, Any]:
            if self.path != "/api/ask":
                return 404, {"error": f"no endpoint {self.path}: POST /api/ask"}
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return 400, {"error": "Content-Length must be a number"}
            if length > MAX_BODY:
                return 413, {"error": f"the request is over {MAX_BODY} bytes"}
            try:
                body = json.loads(self.rfile.read(max(0, length)) or b"{}")
                question = str(body["question"])
                offline = bool(body.get("offline", False))
            except (ValueError, KeyError, TypeError):
                return 400, {"error": 'send JSON: {"question": "who won stage 17?"}'}
            try:
                with lock:
                    answer = ask(ctx, question, offline=offline)
            except PelotonError as exc:
                return 400, {"error": str(exc)}
            return 200, answer.as_dict()

    return Handler


def make_server(ctx: Context, host: str, port: int) -> ThreadingHTTPServer:
    """The bot's HTTP server bound to host:port (not yet serving)."""
    try:
        return ThreadingHTTPServer((host, port), _handler(ctx, threading.Lock()))
    except OSError as exc:
        raise PelotonError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
