"""Iterate a source in a background thread, a few items ahead of the consumer."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

from lakehouse.errors import UnavailableError

T = TypeVar("T")
_DONE = object()
JOIN_SECONDS = 30.0


class ReadAhead(Generic[T]):
    """The items of `source`, read by a thread at most `depth` items ahead.

    The thread starts at once: the source's first items are read before the consumer asks
    (a day opened ahead streams while the previous day is finished). The source's own I/O (a
    server streaming COPY data, decoded in C++ without the GIL) then overlaps what the
    consumer does with each item. An exception in the source is raised here, in the
    consumer; a consumer that stops early (close) stops the thread.

    With `stall_s`, a consumer that waits that long for the next item gets an
    UnavailableError naming `what` instead of waiting for ever (a server that stopped
    answering: a frozen process still holds its connection open, and no socket timeout
    fires); the thread, stuck in the source, is left to end with its connection.
    """

    def __init__(
        self,
        source: Iterable[T],
        depth: int = 4,
        stall_s: float | None = None,
        what: str = "the source",
    ) -> None:
        self._stall_s, self._what = stall_s, what
        self._items: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=self._produce, args=(source,), name="read-ahead", daemon=True
        )
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, source: Iterable[T]) -> None:
        iterator = iter(source)
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the consumer
            self._put(exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:  # a generator mid-read (a COPY) ends here, in its thread
                with contextlib.suppress(Exception):
                    close()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        try:
            item = self._items.get(timeout=self._stall_s)
        except queue.Empty:
            self._finished = True
            self._stop.set()  # no join: the thread is blocked in the source
            raise UnavailableError(
                f"no data from {self._what} for {self._stall_s:g} s: it stopped answering; "
                "given up (a retry reads it afresh)"
            ) from None
        if item is _DONE:
            self.close()
            raise StopIteration
        if isinstance(item, BaseException):
            self.close()
            raise item
        return item  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the thread (and the source with it); the items not taken are dropped."""
        self._finished = True
        self._stop.set()
        # a source blocked on a server that stopped answering must not hold the caller's
        # error back forever: the thread is a daemon and ends with its connection
        self._thread.join(timeout=JOIN_SECONDS)

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_ahead(
    source: Iterable[T], depth: int = 4, stall_s: float | None = None, what: str = "the source"
) -> ReadAhead[T]:
    """The items of `source`, read by a thread started now, at most `depth` items ahead
    (given up after `stall_s` without an item)."""
    return ReadAhead(source, depth, stall_s, what)
