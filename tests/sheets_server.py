"""A local stand-in for the Google Sheets v4 REST API and Google's OAuth2 token endpoint.

Speaks, over real HTTP, the calls gspread makes to open a spreadsheet by key (GET metadata),
find or add a worksheet (batchUpdate addSheet), clear it (values:clear), write values from a
start cell (PUT values/{range}) and read a whole worksheet back (GET values/{range}, as
formatted strings like the API's default FORMATTED_VALUE, or raw with UNFORMATTED_VALUE;
trailing empty cells and rows left out, as Google does). POST /token answers any service
account JWT with an access token, which every API call must then carry.
`fail_next(status, times)` makes the next API calls answer with an error, to test retries.
Anything else gets a 400 naming the call. Tests only: never imported by product code.

    with SheetsServer() as server:
        server.state.create("sheet-id")
        ...  # settings.api_base_url = server.url, key file token_uri = server.token_url
        server.state.books["sheet-id"]["athletes"]  # rows as written
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PATH = re.compile(r"^/v4/spreadsheets/(?P<id>[^/:]+)(?P<rest>.*)$")
CELL = re.compile(r"^(?P<col>[A-Z]+)(?P<row>[0-9]+)")

Grid = list[list[Any]]


def split_range(a1_range: str) -> tuple[str, str]:
    """Worksheet title and cell part of an A1 range: "'athletes'!A1" -> ("athletes", "A1")."""
    text = unquote(a1_range)
    if text.startswith("'"):  # a quoted title: '' is a quote, and a `!` inside is the title's
        end = 1
        while True:
            end = text.index("'", end)
            if text[end + 1 : end + 2] != "'":
                break
            end += 2
        title, cells = text[1:end].replace("''", "'"), text[end + 1 :].removeprefix("!")
        return title, cells
    title, _, cells = text.partition("!")
    return title, cells


def start_cell(cells: str) -> tuple[int, int]:
    """Zero-based (row, column) of the first cell of an A1 cell range ("" is A1)."""
    match = CELL.match(cells.upper())
    if not match:
        return 0, 0
    col = 0
    for letter in match["col"]:
        col = col * 26 + ord(letter) - ord("A") + 1
    return int(match["row"]) - 1, col - 1


def formatted(value: Any) -> Any:
    """A cell as FORMATTED_VALUE shows it with the default number format."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def trimmed(grid: Grid) -> Grid:
    """The grid without trailing empty cells in each row and trailing empty rows."""
    rows = [list(row) for row in grid]
    for row in rows:
        while row and row[-1] in ("", None):
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


@dataclass
class FakeSpreadsheets:
    """The in-memory state behind the server: spreadsheets of worksheets of rows."""

    books: dict[str, dict[str, Grid]] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    failures: list[int] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every request as "METHOD /path?query", in order (token requests included)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, spreadsheet_id: str, sheets: tuple[str, ...] = ("Sheet1",)) -> None:
        """Add an empty spreadsheet with the given worksheets."""
        self.books[spreadsheet_id] = {title: [] for title in sheets}

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` API calls (not token requests) with HTTP `status`."""
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

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"code": status, "message": message, "status": "ERROR"}})

    def _body(self) -> Any:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            return json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return raw.decode()  # the token request is form-encoded

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self._body()
        with self.state.lock:
            self.state.requests.append(f"{method} {url.path}?{url.query}".rstrip("?"))
            self._route(method, url.path, parse_qs(url.query), body)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> None:
        state = self.state
        if method == "POST" and path == "/token":
            token = {"access_token": state.token, "expires_in": 3600, "token_type": "Bearer"}
            self._send(200, token)
            return
        if state.failures:
            self._error(state.failures.pop(0), "injected failure")
            return
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            self._error(401, "missing or wrong access token")
            return
        match = PATH.match(path)
        if not match or match["id"] not in state.books:
            self._error(404, "Requested entity was not found.")
            return
        book_id, rest, book = match["id"], match["rest"], state.books[match["id"]]
        if method == "GET" and rest == "":
            self._send(200, state.metadata(book_id))
        elif method == "POST" and rest == ":batchUpdate":
            self._batch_update(book_id, book, body.get("requests", []))
        elif rest.startswith("/values/"):
            self._values(method, book_id, book, rest[len("/values/") :], query, body)
        else:
            self._error(400, f"unsupported call {method} {path}")

    def _batch_update(self, book_id: str, book: dict[str, Grid], requests: list[Any]) -> None:
        replies = []
        for request in requests:
            if list(request) != ["addSheet"]:
                self._error(400, f"unsupported batchUpdate request {list(request)}")
                return
            props = request["addSheet"].get("properties", {})
            title = props.get("title", f"Sheet{len(book) + 1}")
            if title in book:
                self._error(400, f'A sheet with the name "{title}" already exists.')
                return
            book[title] = []
            index = len(book) - 1
            replies.append(
                {"addSheet": {"properties": {**props, "sheetId": index, "index": index}}}
            )
        self._send(200, {"spreadsheetId": book_id, "replies": replies})

    def _values(
        self,
        method: str,
        book_id: str,
        book: dict[str, Grid],
        a1_range: str,
        query: dict[str, list[str]],
        body: Any,
    ) -> None:
        clear = a1_range.endswith(":clear")
        title, cells = split_range(a1_range.removesuffix(":clear"))
        if title not in book:
            self._error(400, f"Unable to parse range: {title}")
        elif method == "POST" and clear and not cells:
            book[title] = []
            self._send(200, {"spreadsheetId": book_id, "clearedRange": title})
        elif method == "PUT" and not clear:
            top, left = start_cell(cells)
            grid = book[title]
            for r, row in enumerate(body["values"]):
                while len(grid) <= top + r:
                    grid.append([])
                target = grid[top + r]
                target.extend([""] * (left + len(row) - len(target)))
                target[left : left + len(row)] = row
            rows = body["values"]
            self._send(
                200,
                {
                    "spreadsheetId": book_id,
                    "updatedRange": a1_range,
                    "updatedRows": len(rows),
                    "updatedColumns": max((len(r) for r in rows), default=0),
                    "updatedCells": sum(len(r) for r in rows),
                },
            )
        elif method == "GET" and not cells:
            raw = query.get("valueRenderOption", [""])[0] == "UNFORMATTED_VALUE"
            values = [[v if raw else formatted(v) for v in row] for row in trimmed(book[title])]
            self._send(200, {"range": title, "majorDimension": "ROWS", "values": values})
        else:
            self._error(400, f"unsupported values call {method} {a1_range} (whole sheets only)")

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
        """Base URL of the Sheets API (SheetsSettings.api_base_url)."""
        self.token_url = f"{self.url}/token"
        """OAuth2 token endpoint (token_uri of the service account key)."""
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> SheetsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def service_account_file(server: SheetsServer, path: Path) -> Path:
    """A service account key (a new RSA key) whose token_uri is the stand-in's, written to
    `path`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = {
        "type": "service_account",
        "private_key": pem,
        "private_key_id": "1",
        "client_email": "sa@x.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": server.token_url,
    }
    path.write_text(json.dumps(account))
    return path


def on_the_sheet(settings: Any, server: SheetsServer, folder: Path) -> Any:
    """`settings` (lakehouse.settings.Settings) reading the athletes from a new spreadsheet
    `BOOK` on the stand-in, with a service account key written in `folder`."""
    from dataclasses import replace

    server.state.create("BOOK")
    sheets = {
        "spreadsheet_id": "BOOK",
        "service_account_file": service_account_file(server, folder / "sa.json"),
        "api_base_url": server.url,
    }
    return replace(settings, sheets=replace(settings.sheets, **sheets))
