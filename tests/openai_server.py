"""A stand-in OpenAI-compatible server for the bot's tests: the real HTTP protocol of
`/v1/chat/completions` (with tool calls), `/v1/embeddings` and `/v1/models`, playing scripts.

The chat model's name picks the script, so a test chooses one with PELOTON_LLM__CHAT_MODEL:
- `honest`: searches the docs, runs a correct query, finds the winner with find_entity (a loose
  spelling of the surname) and answers from the rows and the rider's keys;
- `bad-arguments`: calls the tools with arguments that do not fit them (a word or null for a
  number, a number for a text, broken JSON, a list, an unknown tool), then answers honestly;
- `two-queries`: runs two queries in one round, then answers;
- `invents-a-column`: queries a column that does not exist, then mends the query from the error;
- `invents-columns`: invents a column twice (the bot then gives up on the model);
- `tries-to-write`: tries to drop and delete, then answers that it cannot;
- `never-stops`: calls a tool on every round;
- `garbage`: answers 200 with a body that is not JSON;
- `slow`: answers after `SLOW_S`.
Every request body is kept in `requests`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from lakehouse.ports import free_port

SLOW_S = 5.0
DIM = 64
KEY = "sk-test-not-a-real-key"


def _call(tool: str, **arguments: Any) -> dict[str, Any]:
    return {"name": tool, "arguments": json.dumps(arguments)}


def _tool_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(m["content"]) for m in messages if m.get("role") == "tool"]


def _rounds(messages: list[dict[str, Any]]) -> int:
    return sum(1 for m in messages if m.get("role") == "assistant")


def honest(messages: list[dict[str, Any]]) -> dict[str, Any] | str:
    done = _rounds(messages)
    if done == 0:
        return _call("search_docs", query="stage winner table", k=3)
    if done == 1:
        return _call(
            "run_sql", sql="SELECT stage, winner_name FROM marts.stage_summary ORDER BY stage"
        )
    if done == 2:  # the winner by a loose spelling of the surname: the bot's names give the bib
        surname = _tool_results(messages)[-1]["rows"][-1][1].split()[-1]
        return _call("find_entity", kind="rider", name=surname.lower())
    stage, name = _tool_results(messages)[-2]["rows"][-1]
    matches = _tool_results(messages)[-1]["matches"]
    bib = next(m["keys"]["bib"] for m in matches if m["name"] == name)
    return f"{name} (bib {bib}) won stage {stage}."


def bad_arguments(messages: list[dict[str, Any]]) -> dict[str, Any] | str | list[Any]:
    """Arguments that do not fit the tools, all in one round, then an honest query and answer."""
    done = _rounds(messages)
    if done == 0:
        return [
            _call("search_docs", query="stage winner", k="many"),
            _call("search_docs", query="stage winner", k=None),
            _call("search_docs", query=None),
            _call("find_entity", kind=None, name="x"),
            _call("find_entity", kind="rider", name=["a", "list"]),
            _call("run_sql", sql=42),
            {"name": "run_sql", "arguments": '{"sql": "SELECT'},
            {"name": "run_sql", "arguments": "[1, 2]"},
            _call("drop_everything", table="marts.stage_results"),
        ]
    if done == 1:
        return _call(
            "run_sql", sql="SELECT stage, winner_name FROM marts.stage_summary ORDER BY stage"
        )
    stage, name = _tool_results(messages)[-1]["rows"][-1]
    return f"{name} won stage {stage}."


def two_queries(messages: list[dict[str, Any]]) -> dict[str, Any] | str | list[Any]:
    if _rounds(messages) == 0:
        return [
            _call("run_sql", sql="SELECT stage, winner_name FROM marts.stage_summary"),
            _call("run_sql", sql="SELECT count(*) AS n FROM marts.stage_summary"),
        ]
    return "Two answers."


def invents_a_column(messages: list[dict[str, Any]]) -> dict[str, Any] | str:
    done = _rounds(messages)
    if done == 0:
        return _call("run_sql", sql="SELECT winner_age FROM marts.stage_summary")
    if done == 1:
        error = _tool_results(messages)[-1]["error"]
        assert "winner_name" in error, error  # the error names the columns that exist
        return _call(
            "run_sql", sql="SELECT stage, winner_name FROM marts.stage_summary ORDER BY stage"
        )
    stage, name = _tool_results(messages)[-1]["rows"][-1]
    return f"{name} won stage {stage}."


def invents_columns(messages: list[dict[str, Any]]) -> dict[str, Any] | str:
    made_up = ["winner_age", "winner_height_cm", "winner_shoe_size"][_rounds(messages) % 3]
    return _call("run_sql", sql=f"SELECT {made_up} FROM marts.stage_summary")


def tries_to_write(messages: list[dict[str, Any]]) -> dict[str, Any] | str:
    done = _rounds(messages)
    if done == 0:
        return _call("run_sql", sql="DROP TABLE marts.stage_results")
    if done == 1:
        return _call("run_sql", sql="SELECT 1; DELETE FROM marts.stage_results")
    return "I cannot change the data: I can only read it."


def never_stops(messages: list[dict[str, Any]]) -> dict[str, Any] | str:
    return _call("search_docs", query=f"more, round {_rounds(messages)}")


SCRIPTS = {
    "honest": honest,
    "bad-arguments": bad_arguments,
    "two-queries": two_queries,
    "invents-a-column": invents_a_column,
    "invents-columns": invents_columns,
    "tries-to-write": tries_to_write,
    "never-stops": never_stops,
}


def embedding(text: str) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words are near."""
    vector = np.zeros(DIM)
    for word in re.findall(r"\w+", text.lower()):
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
        vector += np.random.default_rng(seed).standard_normal(DIM)
    return vector.tolist()


@dataclass
class StandIn:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def chats(self, model: str | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in self.requests
            if "messages" in r and (model is None or r.get("model") == model)
        ]


def _completion(model: str, reply: dict[str, Any] | str | list[Any]) -> dict[str, Any]:
    if isinstance(reply, str):
        message: dict[str, Any] = {"role": "assistant", "content": reply}
        finish = "stop"
    else:
        calls = [
            {"id": f"call_{time.monotonic_ns()}_{i}", "type": "function", "function": function}
            for i, function in enumerate(reply if isinstance(reply, list) else [reply])
        ]
        message = {"role": "assistant", "content": None, "tool_calls": calls}
        finish = "tool_calls"
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {KEY}":
                return True
            self._send(401, json.dumps({"error": {"message": "bad key"}}).encode())
            return False

        def do_GET(self) -> None:
            if not self._authorized():
                return
            if self.path.rstrip("/").endswith("/models"):
                data = [{"id": m, "object": "model", "owned_by": "tests"} for m in SCRIPTS]
                self._send(200, json.dumps({"object": "list", "data": data}).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            if not self._authorized():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            if self.path.endswith("/embeddings"):
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [
                    {"object": "embedding", "index": i, "embedding": embedding(t)}
                    for i, t in enumerate(texts)
                ]
                reply = {"object": "list", "data": data, "model": body["model"],
                         "usage": {"prompt_tokens": 1, "total_tokens": 1}}  # fmt: skip
                self._send(200, json.dumps(reply).encode())
                return
            model = body["model"]
            if model == "garbage":
                self._send(200, b"<html>this is not an API</html>", "application/json")
                return
            if model == "slow":
                time.sleep(SLOW_S)
            script = SCRIPTS.get(model, honest)
            self._send(200, json.dumps(_completion(model, script(body["messages"]))).encode())

    return Handler


@contextmanager
def openai_stand_in() -> Iterator[StandIn]:
    """The stand-in server on a free loopback port, its base URL ending in /v1."""
    port = free_port()
    state = StandIn(f"http://127.0.0.1:{port}/v1")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
