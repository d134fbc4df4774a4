"""A whole Tour unfolding night by night with the default faults, the nightly flow after each
delivery (ingestion, transform, then upkeep): the alerts fire for the faults and only for them,
each night reprocesses only what changed, the marts built night by night equal those of one run
over the final sources, the truth check passes; upkeep keeps files and snapshots within bounds
that do not grow with the nights, every stage is tagged, the race reads as of any stage through
its tag, and a run after all that expiry re-lands nothing.

The race unfolds once, in this module's fixture, and each test checks one promise on what it
recorded. The source PostgreSQL is the module's own (the `source-restart` night restarts it
while the telemetry is being extracted); the catalog is on SQLite beside it, as in the outage
tests, so that the restart hits the extract alone.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import peloton
from private_postgres import remove_private_postgres, start_private_postgres
from pyiceberg.table import Table
from truth_helpers import read_truth
from unfolded_race import unfolded_race
from webhook_receiver import WebhookReceiver

from lakehouse.catalog import open_catalog
from lakehouse.lake.mart_tables import MART_TABLES
from lakehouse.lake.tags import STAGE_TAG, stage_tag
from lakehouse.ports import free_port
from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.settings import Settings, get_settings
from lakehouse.upkeep.maintain import table_names

pytestmark = [pytest.mark.integration, pytest.mark.timeout(2400)]
"""21 nights and two more runs: about 10 minutes on 2 free cores, far more on a loaded one."""
SCHEMA = "race"
BLOCK = "custom-webhook/peloton-alerts"
STEPS = ["ingest_athletes", "ingest_stages", "ingest_telemetry", "transform", "upkeep"]
"""The steps the marts come from, and upkeep after them (the other consumers' steps are tested
in test_nightly.py)."""
KEPT = 3
UPKEEP = {
    "PELOTON_UPKEEP__SNAPSHOTS_KEPT": str(KEPT),
    "PELOTON_UPKEEP__SNAPSHOT_MAX_AGE_H": "0",
    "PELOTON_UPKEEP__ORPHAN_WINDOW_H": "0",
}
"""Upkeep at its tightest: each night expires all but the newest KEPT untagged snapshots."""
ALERTED = {  # what the pipeline shows for a fault (racesim/faults.py), as an alert: kind, table
    "late": ("day delivered in part", "raw.telemetry"),
    "quarantine": ("quarantine above threshold", "raw.stage_routes"),
    "refused-file": ("quarantine above threshold", "raw.athletes"),
}
"""The other faults are handled without an alert: duplicates removed, a GPS gap, a re-sent day
landed again, a restart retried."""
LINE = re.compile(r"^- (?P<kind>[^:]+): (?P<table>[^,]+), day (?P<day>[^:]+):", re.MULTILINE)
Row = tuple[Any, ...]


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


@dataclass
class NightSeen:
    """What one night showed."""

    name: str
    completed: bool
    message: str
    expected_alerts: set[tuple[str, str, str]]
    messages: int
    alerted: set[tuple[str, str, str]]
    touched: set[date]
    """The night's day, and the days of the earlier faults it repaired."""
    staged: set[date]
    built: set[date]
    upkeep: list[dict[str, Any]]


@dataclass
class Unfolded:
    env: dict[str, str]
    sources: Path
    days: dict[date, int] = field(default_factory=dict)
    """Each delivered day's stage."""
    nights: list[NightSeen] = field(default_factory=list)
    total: int = 0
    kinds: set[str] = field(default_factory=set)
    restarted: list[str] = field(default_factory=list)
    nightly_marts: dict[str, list[Row]] = field(default_factory=dict)
    once_marts: dict[str, list[Row]] = field(default_factory=dict)
    rerun: NightSeen | None = None


def _seen(name: str, state: Any, messages: list[dict[str, Any]], report: Any = None) -> NightSeen:
    expected = set()
    touched: set[date] = set()
    if report is not None:
        expected = {
            (*ALERTED[f.expect], f.day.isoformat() if f.source != "athletes" else "-")
            for f in report.faults
            if f.expect in ALERTED
        }
        touched = {report.day} | {f.day for f in report.fixed}
    alerted = {
        (m["kind"], m["table"], m["day"])
        for message in messages
        for m in LINE.finditer(message["text"])
    }
    seen = NightSeen(
        name, state.is_completed(), str(state.message or ""), expected, len(messages), alerted,
        touched, set(), set(), [],
    )  # fmt: skip
    if seen.completed:
        night = state.result()
        staged, marts = night.transform()
        seen.staged = {s.day for s in staged if not s.skipped}
        seen.built = set(marts.days)
        seen.upkeep = next(o.result for o in night.outcomes if o.name == "upkeep")
    return seen


@pytest.fixture(scope="module")
def unfolded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Unfolded]:
    """The Tour unfolded with its nightly runs, then one run over the final sources in a new
    home, then the nightly run once more on the unfolded home."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import nightly

    tmp_path = tmp_path_factory.mktemp("unfold")
    server, url, home = start_private_postgres("peloton-unfold-")
    sources = tmp_path / "sources"
    env = {
        "PELOTON_HOME": str(tmp_path / "home"),
        "PELOTON_SOURCE__URL": url,
        "PELOTON_SOURCE__SCHEMA_NAME": SCHEMA,
        "PELOTON_FILES__SOURCES_DIR": str(sources),
        "PELOTON_CATALOG__KIND": "sqlite",
        "PELOTON_ALERTS__BLOCK": BLOCK,
        "PELOTON_TRINO__PORT": str(free_port()),  # no Trino of the machine's is analyzed
        **UPKEEP,
    }
    race = Unfolded(env, sources)
    monkeypatch = pytest.MonkeyPatch()
    try:
        with WebhookReceiver() as hook, prefect_test_harness(server_startup_timeout=180):
            CustomWebhookNotificationBlock(
                name="peloton", url=hook.url, json_data={"text": "{{subject}}\n{{body}}"}
            ).save("peloton-alerts", overwrite=True)
            settings = _use(monkeypatch, env)
            for unfolding, report in unfolded_race(sources, url, SCHEMA):
                race.total = unfolding.total
                stage, day = unfolding.stage_day(report.index)
                race.days[day] = stage
                race.kinds |= {f.kind for f in report.faults}
                restart = any(f.kind == "source-restart" for f in report.faults)
                sent = len(hook.messages)
                with restart_during_extract(server, monkeypatch) if restart else nullcontext() as r:
                    state = nightly(steps=STEPS, return_state=True)
                race.restarted += r or []
                name = f"night {report.index} (stage {report.stage}, faults {report.faults})"
                race.nights.append(_seen(name, state, hook.messages[sent:], report))
                if not state.is_completed():
                    break
            race.nightly_marts = _marts(settings)
            sent = len(hook.messages)
            race.rerun = _seen("a run after the race", nightly(steps=STEPS, return_state=True),
                               hook.messages[sent:])  # fmt: skip
            once = _use(monkeypatch, {**env, "PELOTON_HOME": str(tmp_path / "once")})
            state = nightly(steps=STEPS, return_state=True)
            assert state.is_completed(), state.message
            race.once_marts = _marts(once)
            _use(monkeypatch, env)
        yield race
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        remove_private_postgres(server, home)


def test_every_night_completes_and_reprocesses_only_what_changed(unfolded: Unfolded) -> None:
    assert len(unfolded.nights) == unfolded.total == len(unfolded.days)
    for night in unfolded.nights:
        assert night.completed, f"{night.name}: {night.message}"
        assert night.staged <= night.touched, night.name
        assert night.built <= night.touched, night.name


def test_the_alerts_fire_for_the_faults_and_only_for_them(unfolded: Unfolded) -> None:
    for night in unfolded.nights:
        assert night.messages == (1 if night.expected_alerts else 0), night.name
        assert night.alerted == night.expected_alerts, night.name
    assert unfolded.restarted, "no night restarted the source during its extract"
    assert unfolded.kinds >= {"telemetry-late", "stage-file-truncated", "sheet-column-renamed"}


def test_the_nights_marts_equal_one_run_over_the_final_sources(unfolded: Unfolded) -> None:
    assert unfolded.nightly_marts["marts.stage_results"]
    assert unfolded.nightly_marts == unfolded.once_marts


def test_the_truth_check_passes(unfolded: Unfolded) -> None:
    checked = peloton("check", "--truth", env=unfolded.env, timeout=900)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]


def test_a_run_after_upkeeps_expiry_reprocesses_nothing(unfolded: Unfolded) -> None:
    rerun = unfolded.rerun
    assert rerun is not None and rerun.completed, rerun
    assert rerun.staged == set() and rerun.built == set()
    assert rerun.messages == 0


def _settings(unfolded: Unfolded) -> Settings:
    return Settings(
        home=Path(unfolded.env["PELOTON_HOME"]),
        source={"url": unfolded.env["PELOTON_SOURCE__URL"], "schema_name": SCHEMA},
        catalog={"kind": "sqlite"},
        files={"sources_dir": unfolded.sources},
    )


def _tagged(table: Table) -> dict[str, int]:
    return {n: r.snapshot_id for n, r in table.refs().items() if STAGE_TAG.match(n)}


def test_upkeep_keeps_files_and_snapshots_within_bounds_that_do_not_grow(
    unfolded: Unfolded,
) -> None:
    for night in unfolded.nights:
        tables = {r["table"] for r in night.upkeep}
        assert tables >= {"raw.telemetry", "staging.telemetry", "marts.general_classification"}
        for report in night.upkeep:
            assert report["after"]["max_files_per_partition"] <= 1, (night.name, report["table"])
    catalog = open_catalog(_settings(unfolded))
    for name in table_names(catalog):
        table = catalog.load_table(name)
        tagged = set(_tagged(table).values())
        untagged = [s for s in table.snapshots() if s.snapshot_id not in tagged]
        assert len(untagged) <= KEPT, name  # whatever the number of nights


def test_every_stage_is_tagged_with_each_earlier_publication(unfolded: Unfolded) -> None:
    published: dict[int, int] = {}
    for night in unfolded.nights:
        for day in night.built:
            published[unfolded.days[day]] = published.get(unfolded.days[day], 0) + 1
    assert set(published) == set(unfolded.days.values())
    assert any(n > 1 for n in published.values()), "no stage was published again"
    catalog = open_catalog(_settings(unfolded))
    for name in ("marts.general_classification", "marts.stage_results"):
        expected = {stage_tag(s) for s in published} | {
            f"{stage_tag(s)}-v{v}" for s, count in published.items() for v in range(1, count)
        }
        assert set(_tagged(catalog.load_table(name))) == expected, name


def _at(table: Table, ref: str) -> list[dict[str, Any]]:
    return table.scan(snapshot_id=table.refs()[ref].snapshot_id).to_arrow().to_pylist()


def test_the_race_reads_as_of_each_stage_through_its_tag(unfolded: Unfolded) -> None:
    """The GC after each stage, read through the stage's tag, ranks the riders as the truth
    does (the riders with telemetry, within a second); the stage's first publication holds the
    race as it stood then, no later stage in it (and not yet the stage itself when its first
    publication had no finisher, as with a truncated stage file)."""
    table = open_catalog(_settings(unfolded)).load_table("marts.general_classification")
    truth = {
        (int(t["stage"]), int(t["bib"])): float(t["total_time_s"])
        for t in read_truth(unfolded.sources, "general_classification")
    }
    refs = set(table.refs())
    for stage in sorted(unfolded.days.values()):
        ours = sorted(
            (r["rank"], r["bib"]) for r in _at(table, stage_tag(stage)) if r["stage"] == stage
        )
        assert ours, stage
        best = float("-inf")
        for _, bib in ours:  # in our order: no rider more than 1 s better behind
            true = truth[(stage, bib)]
            assert true >= best - 1.0, (stage, bib)
            best = max(best, true)
        first = f"{stage_tag(stage)}-v1" if f"{stage_tag(stage)}-v1" in refs else stage_tag(stage)
        assert max(r["stage"] for r in _at(table, first)) <= stage, first
