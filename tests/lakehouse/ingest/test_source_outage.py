"""The source PostgreSQL goes away: a clear failure, nothing partial, the next run converges."""

from pathlib import Path

import psutil
import pytest
from private_postgres import remove_private_postgres, start_private_postgres

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError, UnavailableError, retryable
from lakehouse.ingest.telemetry import land_telemetry
from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.settings import Settings
from lakehouse.sources import telemetry as source_module
from lakehouse.sources.telemetry import list_days
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration


def test_server_stopped_mid_run_then_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server, url, home = start_private_postgres("peloton-outage-")
    try:
        run_simulation("tiny", 8, tmp_path / "src", url)
        expected = {d.day: d.rows for d in list_days(url)}
        catalog = open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))
        original = source_module.read_day
        calls: list[str] = []

        def stop_after_first_day(url_: str, source: source_module.SourceDay):  # type: ignore[no-untyped-def]
            calls.append(source.partition)
            if len(calls) == 2:  # the server goes down before the second day is read
                server.stop()
            return original(url_, source)

        monkeypatch.setattr("lakehouse.ingest.telemetry.read_day", stop_after_first_day)
        with pytest.raises(
            PelotonError, match=r"cannot reach PostgreSQL at postgresql://peloton:\*\*\*\*@"
        ):
            land_telemetry(catalog, url)
        table = catalog.load_table("raw.telemetry")
        landed = table.scan().to_arrow().group_by("stage_date").aggregate([("athlete_id", "count")])
        assert landed["stage_date"].to_pylist() == [min(expected)]  # the first day, whole
        assert landed["athlete_id_count"].to_pylist() == [expected[min(expected)]]
        monkeypatch.setattr("lakehouse.ingest.telemetry.read_day", original)
        server.start()
        results = land_telemetry(catalog, url)
        assert [r.skipped for r in results] == [True, False, False]
        counts = catalog.load_table("raw.telemetry").scan().to_arrow()
        assert counts.num_rows == sum(expected.values())
    finally:
        remove_private_postgres(server, home)


def _server_processes(server: EmbeddedPostgres) -> list[psutil.Process]:
    pid = server._pid()
    assert pid is not None
    postmaster = psutil.Process(pid)
    return [postmaster, *postmaster.children(recursive=True)]


def test_server_frozen_mid_run_is_given_up_then_lands_once_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGSTOP: the connection stays open and no socket error comes; the run gives up on its
    own timeouts with a clear message, and the next run lands the rest."""
    server, url, home = start_private_postgres("peloton-frozen-")
    frozen: list[psutil.Process] = []
    try:
        run_simulation("tiny", 9, tmp_path / "src", url)
        expected = {d.day: d.rows for d in list_days(url)}
        catalog = open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))
        original = source_module.read_day
        calls: list[str] = []

        def freeze_on_second_day(url_: str, source: source_module.SourceDay):  # type: ignore[no-untyped-def]
            calls.append(source.partition)
            if len(calls) == 2:  # every server process stops, its sockets left open
                frozen.extend(_server_processes(server))
                for process in frozen:
                    process.suspend()
            return original(url_, source)

        monkeypatch.setattr("lakehouse.ingest.telemetry.read_day", freeze_on_second_day)
        with pytest.raises(UnavailableError, match=r"PostgreSQL") as given_up:
            land_telemetry(catalog, url, stall_s=3)
        assert retryable(given_up.value)  # the flow's task retries such a day
        assert "peloton:****@" in str(given_up.value) or "stopped answering" in str(given_up.value)
        for process in frozen:
            process.resume()
        frozen.clear()
        monkeypatch.setattr("lakehouse.ingest.telemetry.read_day", original)
        land_telemetry(catalog, url)
        landed = catalog.load_table("raw.telemetry").scan().to_arrow()
        by_day = landed.group_by("stage_date").aggregate([("athlete_id", "count")]).to_pylist()
        assert {r["stage_date"]: r["athlete_id_count"] for r in by_day} == expected
    finally:
        for process in frozen:
            process.resume()
        remove_private_postgres(server, home)
