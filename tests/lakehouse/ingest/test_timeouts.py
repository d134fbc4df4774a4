"""A source that stops answering is given up on its own timeouts, with a clear retryable error."""

import threading
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from lakehouse.errors import UnavailableError, retryable
from lakehouse.ingest.readahead import read_ahead
from lakehouse.sources.telemetry import with_connection_defaults


def test_a_stalled_source_is_given_up_after_the_stall_timeout() -> None:
    never = threading.Event()

    def stalls_after_two() -> Iterator[int]:
        yield 1
        yield 2
        never.wait()  # a server that stopped answering: no error, no data
        yield 3

    stream = read_ahead(stalls_after_two(), stall_s=0.3, what="PostgreSQL while reading day 1")
    assert [next(stream), next(stream)] == [1, 2]
    with pytest.raises(
        UnavailableError, match=r"no data from PostgreSQL while reading day 1 for 0.3 s"
    ) as stalled:
        next(stream)
    assert retryable(stalled.value)
    with pytest.raises(StopIteration):
        next(stream)
    never.set()


def test_a_slow_source_within_the_timeout_is_read_whole() -> None:
    def slow() -> Iterator[int]:
        for i in range(5):
            threading.Event().wait(0.05)
            yield i

    assert list(read_ahead(slow(), stall_s=1.0)) == [0, 1, 2, 3, 4]


def test_connection_defaults_are_added_and_the_urls_own_kept() -> None:
    url = "postgresql://reader:pw@db.example:5432/race?connect_timeout=3&sslmode=require"
    query = dict(parse_qsl(urlsplit(with_connection_defaults(url)).query))
    assert query["connect_timeout"] == "3" and query["sslmode"] == "require"
    assert (query["keepalives"], query["keepalives_idle"]) == ("1", "30")
    # libpq decodes %20, not +: an option with a space keeps its %20
    options = "postgresql://u@db/race?options=-c%20timezone%3DAmerica/Los_Angeles"
    assert "options=-c%20timezone%3DAmerica%2FLos_Angeles" in with_connection_defaults(options)
    plain = urlsplit(with_connection_defaults("postgresql://reader:pw@db:5432/race"))
    assert (plain.netloc, plain.path) == ("reader:pw@db:5432", "/race")
    assert dict(parse_qsl(plain.query))["connect_timeout"] == "10"
