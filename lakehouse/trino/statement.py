"""One statement through Trino's client protocol (`POST /v1/statement`), on the standard library.

The protocol is a few JSON documents over HTTP: the statement is posted, and each answer holds
some columns and rows and the `nextUri` to fetch until the query is done, or an `error`. The
`trino` package speaks it too, but it brings `requests` along (a fifth of a second to import,
paid by every `peloton trino sql`); speaking it here keeps quick commands quick. Values come
back as Python values: numbers, strings, booleans, lists and dicts as Trino sends them, with
`decimal`, `date`, `time`, `timestamp` and the floating-point specials converted as the `trino`
package converts them.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import ssl
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

SOURCE = "peloton"
RETRIED_STATUS = {429, 502, 503, 504}  # the server is busy or restarting: ask again
RETRIES = 5


class StatementError(Exception):
    """Trino refused or failed the statement: `name` is its error name (SYNTAX_ERROR, ...)."""

    def __init__(self, name: str, message: str) -> None:
        self.name, self.message = name, message
        super().__init__(f"{name}: {message}")


@dataclass
class Answer:
    """The columns (name, Trino type) and rows of a finished statement."""

    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Server:
    """Where Trino answers, and how to reach it: TLS, a password, a CA for its certificate."""

    host: str
    port: int
    https: bool = False
    password: str | None = None
    ca_file: str | None = None

    def connection(self, timeout_s: float) -> http.client.HTTPConnection:
        if not self.https:
            return http.client.HTTPConnection(self.host, self.port, timeout=timeout_s)
        context = ssl.create_default_context(cafile=self.ca_file)
        return http.client.HTTPSConnection(self.host, self.port, timeout=timeout_s, context=context)


def execute(
    server: Server,
    user: str,
    query: str,
    catalog: str | None = None,
    session: dict[str, str] | None = None,
    timeout_s: float = 300.0,
) -> Answer:
    """Run one statement to its end and return every row; StatementError if Trino refuses it.

    Connection failures raise OSError (the server is not there); `timeout_s` bounds each
    request, not the query (Trino answers a running query's poll every second or so).
    """
    headers = {"X-Trino-User": user, "X-Trino-Source": SOURCE, "Content-Type": "text/plain"}
    if server.password is not None and server.https:  # never in clear text
        token = base64.b64encode(f"{user}:{server.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    if catalog:
        headers["X-Trino-Catalog"] = catalog
    if session:
        headers["X-Trino-Session"] = ",".join(f"{k}={quote(v)}" for k, v in session.items())
    connection = server.connection(timeout_s)
    try:
        page = _request(connection, "POST", "/v1/statement", query.encode(), headers)
        answer = Answer()
        while True:
            if "error" in page:
                error = page["error"]
                raise StatementError(error.get("errorName", "ERROR"), error.get("message", ""))
            if page.get("columns") and not answer.columns:
                answer.columns = [(c["name"], c["type"]) for c in page["columns"]]
            answer.rows.extend(page.get("data") or [])
            next_uri = page.get("nextUri")
            if not next_uri:
                break
            page = _request(connection, "GET", urlsplit(next_uri).path, None, headers)
    finally:
        connection.close()
    answer.rows = [_typed(row, answer.columns) for row in answer.rows]
    return answer


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> dict[str, Any]:
    """One request's JSON answer, asked again while the server says it is busy."""
    for attempt in range(RETRIES + 1):
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status in RETRIED_STATUS and attempt < RETRIES:
            time.sleep(0.1 * 2**attempt)
            continue
        if response.status != 200:
            text = payload.decode(errors="replace").strip()[:300]
            raise StatementError(f"HTTP {response.status}", text or str(response.reason))
        document: dict[str, Any] = json.loads(payload)
        return document
    raise AssertionError("unreachable")  # pragma: no cover


def _typed(row: list[Any], columns: list[tuple[str, str]]) -> list[Any]:
    return [_value(v, kind) for v, (_, kind) in zip(row, columns, strict=True)]


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _value(value: Any, kind: str) -> Any:
    """A JSON value as the Python value of its Trino type (left as it came where none fits)."""
    if value is None:
        return None
    base = kind.split("(", 1)[0].split(" ", 1)[0]  # decimal(5, 3), timestamp with time zone
    if base == "decimal":
        return Decimal(value)
    if base in ("double", "real") and isinstance(value, str):
        return _SPECIAL_FLOATS.get(value, value)
    if base == "date":
        return date.fromisoformat(value)
    if base == "time" and "with time zone" not in kind:
        return _or_text(clock.fromisoformat, value)
    if base == "timestamp":
        return _timestamp(value, with_zone="with time zone" in kind)
    return value


def _timestamp(value: str, with_zone: bool) -> Any:
    """`YYYY-MM-DD hh:mm:ss.fff`, and with a zone a name (` UTC`, ` Area/City`) or an offset
    (` +02:00`)."""
    if not with_zone:
        return _or_text(datetime.fromisoformat, value)
    stamp, _, zone = value.rpartition(" ")
    if zone[:1] in "+-":
        return _or_text(datetime.fromisoformat, stamp + zone)
    parsed = _or_text(datetime.fromisoformat, stamp)
    if isinstance(parsed, datetime):
        try:
            return parsed.replace(tzinfo=ZoneInfo(zone))
        except (KeyError, ValueError):
            return value
    return value


def _or_text(parse: Any, value: str) -> Any:
    """`parse(value)`, or the text as it came when it is beyond what Python represents."""
    try:
        return parse(value)
    except ValueError:
        return value
