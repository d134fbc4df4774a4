"""Quality checks on the marts, through the library and the `peloton check` command."""

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from cli_helpers import peloton
from pyiceberg.catalog import Catalog

from lakehouse.lake.branches import head, run_branch
from lakehouse.transform import marts as marts_module
from lakehouse.transform.checks import structural_checks
from lakehouse.transform.marts import ChecksFailed, MartsResult, build_marts, open_run
from lakehouse.transform.staging import build_reference, build_telemetry
from lakehouse.transform.truth import truth_checks

pytestmark = pytest.mark.integration


def _cli(sources: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PELOTON_HOME": str(sources.parent),
        "PELOTON_CATALOG__KIND": "sqlite",
        "PELOTON_FILES__SOURCES_DIR": str(sources),
        "COLUMNS": "200",
    }
    return peloton("check", *args, env=env)


def test_the_built_marts_pass_every_check_and_the_truth(built: tuple[Catalog, Path]) -> None:
    catalog, sources = built
    checks = structural_checks(catalog)
    assert [c for c in checks if not c.ok] == []
    assert {c.table for c in checks} >= {"marts.stage_results", "marts.climb_efforts"}
    more, figures = truth_checks(catalog, sources / "truth")
    assert all(c.ok for c in more) and all(f.ok for f in figures)
    done = _cli(sources, "--truth", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["ok"] and report["failed"] == []
    assert report["figures"]["worst finish time error"] < 1.0
    # every check, by name and table, with its result, detail and examples
    assert [(c["table"], c["name"]) for c in report["checks"]] == [
        (c.table, c.name) for c in checks + more
    ]
    assert all(set(c) == {"name", "table", "ok", "detail", "examples"} for c in report["checks"])
    details = {f["name"]: f for f in report["figure_details"]}
    assert set(details) == {f.name for f in figures} | {"riders with telemetry"}
    coverage = details["riders with telemetry"]
    assert coverage["limit"] is None and 0 < coverage["value"] < 100
    assert details["worst finish time error"]["limit"] == 1.0
    text = _cli(sources, "--truth")
    assert text.returncode == 0
    assert text.stdout.strip().splitlines()[-1].startswith("worst route length error")
    assert "riders with telemetry: " in text.stdout and "riders on the start list" in text.stdout


def test_a_duplicate_result_fails_the_check_with_an_example(built: tuple[Catalog, Path]) -> None:
    catalog, sources = built
    table = catalog.load_table("marts.stage_results")
    one = table.scan(limit=1).to_arrow()
    table.append(one)
    try:
        failed = [c for c in structural_checks(catalog) if not c.ok]
        assert [(c.table, c.name) for c in failed] == [("marts.stage_results", "unique key")]
        assert failed[0].examples[0]["bib"] == one["bib"][0].as_py()
        done = _cli(sources)
        assert done.returncode == 1
        assert "FAILED" in done.stdout and "examples" in done.stderr
        report = json.loads(_cli(sources, "--json").stdout)  # a program reads the failure
        assert report["failed"] == ["marts.stage_results: unique key"] and not report["ok"]
        (failing,) = (c for c in report["checks"] if not c["ok"])
        assert failing["examples"][0]["bib"] == one["bib"][0].as_py()
    finally:
        build_marts(catalog, full_refresh=True)
    assert all(c.ok for c in structural_checks(catalog))


@pytest.fixture()
def duplicating(monkeypatch: pytest.MonkeyPatch) -> Callable[[bool], None]:
    """Switch the marts to writing one stage result twice (True), or back (False)."""
    original = marts_module.day_marts

    def with_a_duplicate(*args, **kwargs):  # type: ignore[no-untyped-def]
        results, rows = original(*args, **kwargs)
        table = rows["marts.stage_results"]
        rows["marts.stage_results"] = pa.concat_tables([table, table.slice(0, 1)])
        return results, rows

    def switch(on: bool) -> None:
        monkeypatch.setattr(marts_module, "day_marts", with_a_duplicate if on else original)

    return switch


def test_a_failing_check_blocks_publishing_and_readers_keep_the_previous_marts(
    built: tuple[Catalog, Path], duplicating: Callable[[bool], None]
) -> None:
    catalog, _ = built
    names = ["marts.stage_results", "marts.general_classification", "marts.climb_efforts"]
    before = {n: catalog.load_table(n).current_snapshot().snapshot_id for n in names}
    published_rows = catalog.load_table("marts.stage_results").scan().to_arrow().num_rows
    duplicating(True)
    with pytest.raises(
        ChecksFailed, match=r"marts.stage_results: unique key: .* 3 repeated"
    ) as failed:
        build_marts(catalog, full_refresh=True)
    for name in names:  # nothing published: readers see the previous version
        assert catalog.load_table(name).current_snapshot().snapshot_id == before[name]
    assert catalog.load_table("marts.stage_results").scan().to_arrow().num_rows == published_rows
    audit = catalog.load_table("marts.stage_results").refs()[failed.value.branch].snapshot_id
    assert audit != before["marts.stage_results"]  # the rejected version stays there to inspect

    duplicating(False)
    result = build_marts(catalog, full_refresh=True)
    assert "marts.stage_results" in result.published
    for name in names:  # the next run removed the rejected branch and its own
        assert not [r for r in catalog.load_table(name).refs() if r.startswith("audit")]
    assert all(c.ok for c in structural_checks(catalog))


def test_staging_is_published_with_the_marts_or_not_at_all(
    built: tuple[Catalog, Path], duplicating: Callable[[bool], None]
) -> None:
    """A run writes staging on its branch too: a rejected run's staging stays unpublished, an
    accepted run's staging is published with its marts."""
    catalog, _ = built

    def main_id(name: str) -> int:
        snapshot = catalog.load_table(name).current_snapshot()
        assert snapshot is not None
        return snapshot.snapshot_id

    def run(batch_id: str) -> MartsResult:
        branch = run_branch(batch_id)
        open_run(catalog, batch_id)
        build_reference(catalog, batch_id, branch)
        build_telemetry(catalog, full_refresh=True, batch_id=batch_id, branch=branch)
        return build_marts(catalog, full_refresh=True, batch_id=batch_id)

    before = main_id("staging.telemetry")
    duplicating(True)
    with pytest.raises(ChecksFailed):
        run("rejected")
    assert main_id("staging.telemetry") == before
    rejected = head(catalog.load_table("staging.telemetry"), run_branch("rejected"))
    assert rejected is not None and rejected != before

    duplicating(False)
    result = run("accepted")
    assert "staging.telemetry" in result.published and "marts.stage_results" in result.published
    assert main_id("staging.telemetry") not in (before, rejected)
    assert all(c.ok for c in structural_checks(catalog))
