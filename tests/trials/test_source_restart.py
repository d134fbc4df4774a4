"""PostgreSQL restarted while a day's COPY streams: the flow's retry lands the day whole, in
the same run."""

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from private_postgres import remove_private_postgres, start_private_postgres

from lakehouse.settings import get_settings
from lakehouse.sources import telemetry as source_module
from lakehouse.sources.telemetry import SourceDay, list_days
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration


def test_a_restart_during_a_copy_is_retried_and_the_day_lands_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, url, home = start_private_postgres("peloton-restart-")
    try:
        run_simulation("tiny", 5, tmp_path / "src", url)
        expected = {d.day: d.rows for d in list_days(url)}
        restarted_day = sorted(expected)[1]
        for key, value in {
            "PELOTON_HOME": str(tmp_path / "lake"),
            "PELOTON_SOURCE__URL": url,
            "PELOTON_CATALOG__KIND": "sqlite",
            "PELOTON_FILES__SOURCES_DIR": str(tmp_path / "src"),
        }.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        original = source_module.read_day
        reads: list[SourceDay] = []
        batches_before_restart: list[int] = []

        def restart_mid_copy(url_: str, source: SourceDay) -> Iterator[pa.RecordBatch]:
            reads.append(source)
            for number, batch in enumerate(original(url_, source)):
                if source.day == restarted_day and reads.count(source) == 1 and number == 1:
                    batches_before_restart.append(number)
                    server.stop()  # the COPY's connection is cut: the day's read fails
                    server.start()
                yield batch

        monkeypatch.setattr("lakehouse.ingest.telemetry.read_day", restart_mid_copy)
        from prefect.testing.utilities import prefect_test_harness

        from flows.ingest import ingest_telemetry

        with prefect_test_harness(server_startup_timeout=120):
            results = ingest_telemetry()
        assert batches_before_restart == [1]  # the server went down with the COPY under way
        assert [s.day for s in reads].count(restarted_day) == 2  # read again, by the retry
        assert {r.day: r.rows for r in results} == expected
        from lakehouse.catalog import open_catalog

        landed = open_catalog(get_settings()).load_table("raw.telemetry").scan().to_arrow()
        by_day = landed.group_by("stage_date").aggregate([("athlete_id", "count")]).to_pylist()
        assert {r["stage_date"]: r["athlete_id_count"] for r in by_day} == expected
    finally:
        remove_private_postgres(server, home)
        get_settings.cache_clear()
