"""A whole Tour unfolding night by night with the default faults, the nightly flow after each
delivery: the alerts fire for the faults and only for them, the marts built night by night
equal those of one run over the final sources, and the truth check passes.

The source PostgreSQL is this test's own (the `source-restart` night restarts it while the
telemetry is being extracted); the catalog is on SQLite beside it, as in the outage tests, so
that the restart hits the extract alone.
"""

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import peloton
from unfolded_race import unfolded_race
from webhook_receiver import WebhookReceiver

from lakehouse.catalog import open_catalog
from lakehouse.lake.mart_tables import MART_TABLES
from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.postgres.throwaway import reachable_home
from lakehouse.settings import Settings, get_settings

pytestmark = pytest.mark.integration
SCHEMA = "race"
BLOCK = "custom-webhook/peloton-alerts"
STEPS = ["ingest_athletes", "ingest_stages", "ingest_telemetry", "transform"]
"""The steps the marts come from (the consumers' steps are tested in test_nightly.py)."""
ALERTED = {  # what the pipeline shows for a fault (racesim/faults.py), as an alert: kind, table
    "late": ("day delivered in part", "raw.telemetry"),
    "quarantine": ("quarantine above threshold", "raw.stage_routes"),
    "refused-file": ("quarantine above threshold", "raw.athletes"),
}
"""The other faults are handled without an alert: duplicates removed, a GPS gap, a re-sent day
landed again, a restart retried."""
LINE = re.compile(r"^- (?P<kind>[^:]+): (?P<table>[^,]+), day (?P<day>[^:]+):", re.MULTILINE)


@contextmanager
def restart_during_extract(
    server: EmbeddedPostgres, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """The first telemetry day read tonight: its first batch read, then the server restarted."""
    from lakehouse.ingest import telemetry

    original = telemetry.read_day
    restarted: list[str] = []

    def read_day(url: str, source: Any) -> Iterator[Any]:
        batches = original(url, source)
        if not restarted:
            yield next(batches)
            restarted.append(source.partition)
            server.stop()
            server.start()
        yield from batches

    with monkeypatch.context() as patch:
        patch.setattr(telemetry, "read_day", read_day)
        yield restarted


def _marts(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every mart's rows without lineage, floats rounded (sums in another order), sorted."""
    catalog = open_catalog(settings)
    found = {}
    for definition in MART_TABLES:
        rows = catalog.load_table(definition.name).scan().to_arrow().to_pylist()
        found[definition.name] = sorted(
            tuple(
                (k, round(v, 6) if isinstance(v, float) else v)
                for k, v in row.items()
                if not k.startswith("_")
            )
            for row in rows
        )
    return found


def _use(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Settings:
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return get_settings()


@pytest.mark.timeout(1800)  # 21 nightly runs and one over the whole race
def test_a_tour_unfolds_with_its_faults_alerted_and_ends_as_one_run_over_its_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import nightly

    home = reachable_home("peloton-unfold-")
    server = EmbeddedPostgres(Settings(home=home))
    url = server.start()
    sources = tmp_path / "sources"
    env = {
        "PELOTON_HOME": str(tmp_path / "home"),
        "PELOTON_SOURCE__URL": url,
        "PELOTON_SOURCE__SCHEMA_NAME": SCHEMA,
        "PELOTON_FILES__SOURCES_DIR": str(sources),
        "PELOTON_CATALOG__KIND": "sqlite",
        "PELOTON_ALERTS__BLOCK": BLOCK,
    }
    try:
        with WebhookReceiver() as hook, prefect_test_harness(server_startup_timeout=180):
            CustomWebhookNotificationBlock(
                name="peloton", url=hook.url, json_data={"text": "{{subject}}\n{{body}}"}
            ).save("peloton-alerts", overwrite=True)
            settings = _use(monkeypatch, env)
            acted: list[str] = []
            kinds: set[str] = set()
            for _, report in unfolded_race(sources, url, SCHEMA):
                kinds |= {f.kind for f in report.faults}
                restart = any(f.kind == "source-restart" for f in report.faults)
                sent = len(hook.messages)
                with restart_during_extract(server, monkeypatch) if restart else nullcontext() as r:
                    state = nightly(steps=STEPS, return_state=True)
                acted += r or []
                night = f"night {report.index} (stage {report.stage}, faults {report.faults})"
                assert state.is_completed(), f"{night}: {state.message}"
                expected = {
                    (*ALERTED[f.expect], f.day.isoformat() if f.source != "athletes" else "-")
                    for f in report.faults
                    if f.expect in ALERTED
                }
                messages = hook.messages[sent:]
                assert len(messages) == (1 if expected else 0), f"{night}: {messages}"
                alerted = {
                    (m["kind"], m["table"], m["day"])
                    for message in messages
                    for m in LINE.finditer(message["text"])
                }
                assert alerted == expected, night
                staged, marts = state.result().transform()
                touched = {report.day} | {f.day for f in report.fixed}
                assert {s.day for s in staged if not s.skipped} <= touched, night
                assert set(marts.days) <= touched, night
            assert acted, "no night restarted the source during its extract"
            assert kinds >= {"telemetry-late", "stage-file-truncated", "sheet-column-renamed"}

            nightly_marts = _marts(settings)
            checked = peloton("check", "--truth", env=env, timeout=900)
            assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]

            once = _use(monkeypatch, {**env, "PELOTON_HOME": str(tmp_path / "once")})
            state = nightly(steps=STEPS, return_state=True)
            assert state.is_completed(), state.message
            assert _marts(once) == nightly_marts
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
