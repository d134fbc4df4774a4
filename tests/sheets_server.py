"""A local stand-in for the Google Sheets v4 REST API and Google's OAuth2 token endpoint.

Speaks over real HTTP the calls gspread makes to open a spreadsheet by key, find or add a
worksheet, clear it, write values at A1, and read values back (as formatted strings, like the
API's default FORMATTED_VALUE rendering). `fail_next(status, times)` makes the next requests
answer with an error, to test retries. Tests only: never imported by product code.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

PATH = re.compile(r"^/v4/spreadsheets/(?P<id>[^/:]+)(?P<rest>.*)$")


def _title(a1_range: str) -> str:
    """The worksheet title of an A1 range such as 'athletes'!A1 or athletes."""
    title = unquote(a1_range).split("!")[0]
    return title[1:-1].replace("''", "'") if title.startswith("'") else title


def _formatted(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


@dataclass
class FakeSpreadsheets:
    """The in-memory state behind the server."""

    books: dict[str, dict[str, list[list[Any]]]] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    failures: list[int] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def create(self, spreadsheet_id: str, sheets: tuple[str, ...] = ("Sheet1",)) -> None:
        self.books[spreadsheet_id] = {title: [] for title in sheets}

    def fail_next(self, status: int, times: int = 1) -> None:
        self.failures += [status] * times

    def metadata(self, book_id: str) -> dict[str, Any]:
        return {
            "spreadsheetId": book_id,
            "properties": {"title": f"Peloton {book_id}", "locale": "en_US"},
            "sheets": [
                {
                    "properties": {
                        "sheetId": i,
                        "title": title,
                        "index": i,
                        "sheetType": "GRID",
                        "gridProperties": {"rowCount": 1000, "columnCount": 26},
                    }
                }
                for i, title in enumerate(self.books[book_id])
            ],
        }


class _Handler(BaseHTTPRequestHandler):
    state: FakeSpreadsheets

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return raw.decode()

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"code": status, "message": message, "status": "ERROR"}})

    def _handle(self, method: str) -> None:
        state = self.state
        url = urlsplit(self.path)
        state.requests.append(f"{method} {url.path}")
        body = self._body()
        if url.path == "/token":
            self._send(
                200, {"access_token": state.token, "expires_in": 3600, "token_type": "Bearer"}
            )
            return
        if state.failures:
            self._error(state.failures.pop(0), "injected failure")
            return
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            self._error(401, "missing or wrong access token")
            return
        match = PATH.match(url.path)
        if not match or match["id"] not in state.books:
            self._error(404, "Requested entity was not found.")
            return
        book_id, rest, book = match["id"], match["rest"], state.books[match["id"]]
        if method == "GET" and rest == "":
            self._send(200, state.metadata(book_id))
        elif method == "POST" and rest == ":batchUpdate":
            replies = []
            for request in body["requests"]:
                props = request["addSheet"]["properties"]
                book[props["title"]] = []
                replies.append(
                    {
                        "addSheet": {
                            "properties": {
                                **props,
                                "sheetId": len(book) - 1,
                                "index": len(book) - 1,
                            }
                        }
                    }
                )
            self._send(200, {"spreadsheetId": book_id, "replies": replies})
        elif rest.startswith("/values/"):
            self._values(method, book_id, book, rest[len("/values/") :], body)
        else:
            self._error(400, f"unsupported call {method} {url.path}")

    def _values(
        self, method: str, book_id: str, book: dict[str, list[list[Any]]], a1_range: str, body: Any
    ) -> None:
        clear = a1_range.endswith(":clear")
        title = _title(a1_range.removesuffix(":clear"))
        if title not in book:
            self._error(400, f"Unable to parse range: {title}")
        elif method == "POST" and clear:
            book[title] = []
            self._send(200, {"spreadsheetId": book_id, "clearedRange": title})
        elif method == "PUT":
            book[title] = [list(row) for row in body["values"]]
            rows = book[title]
            self._send(
                200,
                {
                    "spreadsheetId": book_id,
                    "updatedRange": title,
                    "updatedRows": len(rows),
                    "updatedColumns": max((len(r) for r in rows), default=0),
                    "updatedCells": sum(len(r) for r in rows),
                },
            )
        elif method == "GET":
            values = [[_formatted(v) for v in row] for row in book[title]]
            self._send(200, {"range": title, "majorDimension": "ROWS", "values": values})
        else:
            self._error(400, f"unsupported values call {method} {a1_range}")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")


class SheetsServer:
    """Run the stand-in on 127.0.0.1 (a free port) in a thread: `with SheetsServer() as s:`."""

    def __init__(self) -> None:
        self.state = FakeSpreadsheets()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SheetsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
