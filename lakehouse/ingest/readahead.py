"""Iterate a source in a background thread, a few items ahead of the consumer."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")
_DONE = object()
JOIN_SECONDS = 30.0


def read_ahead(source: Iterable[T], depth: int = 4) -> Generator[T, None, None]:
    """Yield the items of `source`, read by a thread at most `depth` items ahead.

    The source's own I/O (a server streaming COPY data, decoded in C++ without the GIL) then
    overlaps what the consumer does with each item. An exception in the source is raised
    here, in the consumer; a consumer that stops early stops the thread.
    """
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(source)
        try:
            for item in iterator:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer
            put(exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:  # a generator mid-read (a COPY) ends here, in its thread
                with contextlib.suppress(Exception):
                    close()

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        # a source blocked on a server that stopped answering must not hold the caller's
        # error back forever: the thread is a daemon and ends with its connection
        thread.join(timeout=JOIN_SECONDS)
