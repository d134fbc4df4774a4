"""The nightly flow on a real Prefect API: every step, incremental nights, a failed step that
skips only what needs it, and one alert per run received by a local webhook endpoint."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from webhook_receiver import WebhookReceiver

from lakehouse.ports import free_port
from lakehouse.settings import get_settings
from racesim.simulate import SimulationReport, run_simulation

pytestmark = pytest.mark.integration
OWN_SCHEMA = "nightly_src"
BLOCK = "custom-webhook/peloton-alerts"


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture()
def hook(prefect_api: None) -> Iterator[WebhookReceiver]:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    with WebhookReceiver() as receiver:
        CustomWebhookNotificationBlock(
            name="peloton", url=receiver.url, json_data={"text": "{{subject}}\n{{body}}"}
        ).save("peloton-alerts", overwrite=True)
        yield receiver


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], **more: str) -> None:
    for key, value in {**env, "PELOTON_ALERTS__BLOCK": BLOCK, **more}.items():
        if key.startswith("PELOTON_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()


def _steps(night: object) -> dict[str, str]:
    return {o.name: o.status.value for o in night.outcomes}  # type: ignore[attr-defined]


def _summary() -> str:
    from prefect.artifacts import Artifact

    artifact = Artifact.get("nightly-summary")
    assert artifact is not None and isinstance(artifact.data, str)
    return artifact.data


def test_nights_reprocess_only_what_changed_and_a_failed_check_skips_the_consumers(
    hook: WebhookReceiver,
    env: dict[str, str],
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.nightly import nightly
    from lakehouse.transform import marts
    from lakehouse.transform.checks import Check

    race = run_simulation("tiny", 12, tmp_path / "sources", postgres_url, schema=OWN_SCHEMA)
    _use(
        monkeypatch,
        env,
        PELOTON_SOURCE__SCHEMA_NAME=OWN_SCHEMA,
        PELOTON_FILES__SOURCES_DIR=str(race.out_dir),
    )
    late = sorted(race.rows_per_partition)[1]  # a day whose second half arrives a night late
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            f"create table {OWN_SCHEMA}.held as select * from {OWN_SCHEMA}.{late} "
            f"where recorded_at >= (select min(recorded_at) + (max(recorded_at) - "
            f"min(recorded_at)) / 2 from {OWN_SCHEMA}.{late})"
        )
        conn.execute(
            f"delete from {OWN_SCHEMA}.{late} t using {OWN_SCHEMA}.held h "
            "where t.recorded_at = h.recorded_at and t.athlete_id = h.athlete_id"
        )

    first = nightly()
    assert set(_steps(first).values()) == {"completed"}, _steps(first)
    staged, result = first.transform()
    assert (
        len(result.days) == len(race.rows_per_partition)
        and "marts.stage_results" in result.published
    )
    summary = _summary()
    assert "| ingest_telemetry | completed |" in summary and "| bot_index | completed |" in summary
    assert "| marts.stage_results | unique key | passed |" in summary
    late_day = late.removeprefix("telemetry_").replace("_", "-")
    (message,) = hook.messages
    assert "1 fault (day delivered in part)" in message["text"].splitlines()[0]
    assert f"day delivered in part: raw.telemetry, day {late_day}: stage" in message["text"]
    assert "| day delivered in part | raw.telemetry |" in summary

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"insert into {OWN_SCHEMA}.telemetry select * from {OWN_SCHEMA}.held")
    second = nightly()
    assert set(_steps(second).values()) == {"completed"}
    landed = {r.day.isoformat(): r.skipped for r in second.ingestion().telemetry}
    assert landed == {day: day != late_day for day in landed}
    staged, result = second.transform()
    assert [s.day.isoformat() for s in staged if not s.skipped] == [late_day]
    assert [d.isoformat() for d in result.days] == [late_day]
    assert len(hook.messages) == 1  # the whole day is in: nothing to report tonight
    assert "None: nothing to report." in _summary()

    real_checks = marts.structural_checks
    bad = Check(
        "rider speeds",
        "marts.stage_results",
        False,
        "1 row above 100 km/h",
        [{"stage": 17, "bib": 5}],
    )
    monkeypatch.setattr(
        marts, "structural_checks", lambda catalog, ref: [*real_checks(catalog, ref=ref), bad]
    )
    from flows.nightly import nightly as pipeline

    state = pipeline(return_state=True)
    assert state.is_failed() and state.message == "steps failed: transform"
    third = state.result(raise_on_failure=False)
    assert all(r.skipped for r in third.ingestion().telemetry)
    assert _steps(third) == {
        "ingest_athletes": "completed",
        "ingest_stages": "completed",
        "ingest_telemetry": "completed",
        "transform": "failed",
        "refresh_dashboards": "skipped",
        "gif_exports": "skipped",
        "bot_index": "skipped",
        "upkeep": "completed",  # after the others whatever they did: it needs none of them
    }
    text = hook.messages[-1]["text"]
    assert len(hook.messages) == 2 and "1 fault (check failed)" in text.splitlines()[0]
    assert "check failed: marts.stage_results, day 2023-07-19: rider speeds: 1 row above" in text
    assert "Fix: nothing was published, readers keep the previous marts" in text
    assert "| marts.stage_results | rider speeds | FAILED |" in _summary()


def test_a_source_down_fails_its_step_only_and_one_alert_names_every_fault(
    hook: WebhookReceiver,
    env: dict[str, str],
    report: SimulationReport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.nightly import nightly

    sources = tmp_path / "sources"
    shutil.copytree(report.out_dir, sources)
    stage_file = sorted((sources / "stages").glob("stage-*.csv"))[0]
    lines = stage_file.read_text().splitlines()
    fields = [line.split(",") for line in lines[1:40]]
    spoiled = [",".join([f[0], f[1], "north", *f[3:]]) for f in fields]
    stage_file.write_text("\n".join([lines[0], *spoiled, *lines[40:]]) + "\n")
    down = f"postgresql://peloton_reader:secret@127.0.0.1:{free_port()}/peloton"
    _use(
        monkeypatch,
        env,
        PELOTON_FILES__SOURCES_DIR=str(sources),
        PELOTON_SOURCE__READER_URL=down,
        PELOTON_ALERTS__QUARANTINE_SHARE="0.001",
    )

    state = nightly(return_state=True)
    assert state.is_failed() and state.message == "steps failed: ingest_telemetry"
    night = state.result(raise_on_failure=False)
    steps = _steps(night)
    assert steps.pop("ingest_telemetry") == "failed"
    assert set(steps.values()) == {"completed"}  # the other sources, the transform, the consumers
    (message,) = hook.messages
    text = message["text"]
    days = sorted(k.removeprefix("telemetry_").replace("_", "-") for k in report.rows_per_partition)
    assert f"{1 + len(days) + 1} faults" in text.splitlines()[0]
    assert "step failed: raw.telemetry, day -: ingest_telemetry: " in text
    for day in days:
        assert f"day not delivered: raw.telemetry, day {day}: stage" in text
    first_day = days[0]
    assert (
        f"quarantine above threshold: raw.stage_routes, day {first_day}: "
        f"stages/{stage_file.name}: 39 of {len(lines) - 1:,} rows quarantined" in text
    )
    assert text.count("Fix: ") == 2 + len(days)
    assert "secret" not in text
    assert json.dumps(message)
