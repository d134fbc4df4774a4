"""Source files that cannot be read as they are: each has a recorded outcome, nothing is lost.

For every case, rows read = rows landed + rows quarantined, and a file refused as a whole
leaves the version landed before it in place, as the result's note says.
"""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.catalog import Catalog

from lakehouse.ingest.files import FileResult, ingest_athletes, ingest_stages
from lakehouse.settings import Settings


def _land(catalog: Catalog, settings: Settings) -> dict[str, FileResult]:
    results = {r.source: r for r in ingest_stages(catalog, settings.sources_dir / "stages")}
    for result in results.values():
        assert result.skipped or result.read == result.landed + result.quarantined, result
    return results


def _stage_rows(catalog: Catalog, stage: int) -> int:
    return catalog.load_table("raw.stage_routes").scan(row_filter=f"stage == {stage}").count()


def _reasons(catalog: Catalog, source: str) -> set[str]:
    rows = catalog.load_table("raw.quarantine").scan(row_filter=f"_source == '{source}'")
    return {str(r["reason"]) for r in rows.to_arrow().to_pylist()}


def _a_stage(settings: Settings) -> tuple[int, Path]:
    path = sorted((settings.sources_dir / "stages").glob("stage-*.csv"))[-1]
    return int(path.stem.split("-")[1]), path


def _index(settings: Settings) -> tuple[Path, list[str]]:
    path = settings.sources_dir / "stages" / "stages.csv"
    return path, path.read_text().splitlines()


def test_lines_sharing_a_stage_or_a_day_are_all_quarantined(
    settings: Settings, catalog: Catalog
) -> None:
    path, (header, *lines) = _index(settings)
    first, second = lines[0].split(","), lines[1].split(",")
    twin_stage = ",".join([first[0], "2031-01-01", *first[2:]])  # stage of line 2, new day
    same_day = ",".join([str(int(second[0]) + 90), second[1], *second[2:]])  # day of line 3
    path.write_text("\n".join([header, *lines, twin_stage, same_day]) + "\n")
    index = _land(catalog, settings)["stages/stages.csv"]
    assert (index.read, index.quarantined) == (len(lines) + 2, 4)
    reasons = _reasons(catalog, "stages/stages.csv")
    n = len(lines) + 2
    assert f"stage {first[0]} is on lines 2, {n}; expected one line per stage" in reasons
    assert f"date {second[1]} is on lines 3, {n + 1}; expected one stage per day" in reasons
    # the stage whose line is quarantined has no day: its file is refused, naming the index
    stage_file = f"stages/stage-{int(first[0]):02d}.csv"
    assert "no valid line in stages/stages.csv" in _land(catalog, settings)[stage_file].note


def test_a_stage_moved_to_another_day_is_landed_again_under_it(
    settings: Settings, catalog: Catalog
) -> None:
    stage, _ = _a_stage(settings)
    _land(catalog, settings)
    rows = _stage_rows(catalog, stage)
    path, (header, *lines) = _index(settings)
    moved = [
        ",".join([f[0], "2031-07-14", *f[2:]]) if int(f[0]) == stage else line
        for line in lines
        if (f := line.split(","))
    ]
    path.write_text("\n".join([header, *moved]) + "\n")
    results = _land(catalog, settings)
    assert results[f"stages/stage-{stage:02d}.csv"].landed == rows  # the file did not change
    table = catalog.load_table("raw.stage_routes")
    days = {
        r["stage_date"] for r in table.scan(row_filter=f"stage == {stage}").to_arrow().to_pylist()
    }
    assert days == {date(2031, 7, 14)}


def test_riders_sharing_a_race_number_are_all_quarantined(
    settings: Settings, catalog: Catalog
) -> None:
    path = settings.sources_dir / "athletes" / "athletes.csv"
    header, *lines = path.read_text().splitlines()
    bib = lines[0].split(",")[0]
    twin = ",".join([bib, *lines[1].split(",")[1:]])
    path.write_text("\n".join([header, *lines, twin]) + "\n")
    result = ingest_athletes(catalog, settings)
    assert (result.read, result.landed, result.quarantined) == (len(lines) + 1, len(lines) - 1, 2)
    reasons = _reasons(catalog, "athletes/athletes.csv")
    assert (
        f"bib {bib} is on lines 2, {len(lines) + 2}; expected one rider per race number" in reasons
    )


def test_a_run_killed_between_quarantine_and_data_is_landed_again_whole(
    settings: Settings, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quarantine is committed first: killed before the data's commit, the file is not
    landed (its fingerprint is the data's), so the next run lands both and they agree."""
    stage, path = _a_stage(settings)
    header, *lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("point", "pointe", 1)  # one row quarantined
    path.write_text("\n".join([header, *lines]) + "\n")
    label = f"stages/{path.name}"

    from lakehouse.ingest import files

    original = files.replace

    def killed(table: Any, *args: Any, **kwargs: Any) -> None:
        if args[2] == label:  # the stage file's data: the process dies before its commit
            raise SystemExit("killed")
        original(table, *args, **kwargs)

    monkeypatch.setattr(files, "replace", killed)
    with pytest.raises(SystemExit):
        ingest_stages(catalog, settings.sources_dir / "stages")
    monkeypatch.undo()
    assert len(_reasons(catalog, label)) == 1  # the quarantine landed, the data did not
    result = _land(catalog, settings)[label]
    assert not result.skipped and result.quarantined == 1
    assert result.landed == _stage_rows(catalog, stage) == len(lines) - 1
    again = _land(catalog, settings)[label]
    assert again.skipped
