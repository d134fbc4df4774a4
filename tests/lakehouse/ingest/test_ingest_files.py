"""Stage CSVs and the athletes sheet into Iceberg: bad rows quarantined, the rest lands."""

from pathlib import Path

from pyiceberg.catalog import Catalog
from sheets_server import SheetsServer, on_the_sheet

from lakehouse.ingest.files import ingest_athletes, ingest_stages
from lakehouse.settings import Settings
from racesim.athletes import make_riders
from racesim.sheets import push_athletes


def _quarantine(catalog: Catalog) -> list[dict[str, object]]:
    return catalog.load_table("raw.quarantine").scan().to_arrow().to_pylist()


def test_stage_files_land_and_reruns_skip(settings: Settings, catalog: Catalog) -> None:
    results = ingest_stages(catalog, settings.sources_dir / "stages")
    assert [r.source for r in results] == [
        "stages/stages.csv",
        "stages/stage-16.csv",
        "stages/stage-17.csv",
        "stages/stage-21.csv",
    ]
    assert all(r.read == r.landed and r.quarantined == 0 for r in results)
    routes = catalog.load_table("raw.stage_routes").scan().to_arrow()
    assert routes.num_rows == sum(r.landed for r in results[1:])
    stages = catalog.load_table("raw.stages").scan().to_arrow().to_pylist()
    assert {s["stage"]: s["kind"] for s in stages}[16] == "individual_time_trial"
    summits = [r for r in routes.to_pylist() if r["checkpoint"] == "climb_summit"]
    assert "Col de la Loze" in {r["name"] for r in summits}
    assert all(r.skipped for r in ingest_stages(catalog, settings.sources_dir / "stages"))
    assert catalog.load_table("raw.quarantine").current_snapshot() is None  # nothing rejected
    assert catalog.load_table("raw.stage_routes").scan().to_arrow().num_rows == routes.num_rows


def test_malformed_rows_are_quarantined_the_rest_lands(
    settings: Settings, catalog: Catalog
) -> None:
    path = settings.sources_dir / "stages" / "stage-21.csv"
    lines = path.read_text().splitlines()
    good = len(lines) - 1
    lines[5] = lines[5].replace(lines[5].split(",")[2], "north", 1)  # non-numeric lat
    lines[6] = "point,5,95.0,2.1,30.0,0.1,,,,"  # out of range
    lines[9] = "point,8,48.8"  # missing columns
    lines.insert(12, lines[11])  # duplicated sequence number
    path.write_text("\n".join(lines) + "\n")
    result = {r.source: r for r in ingest_stages(catalog, settings.sources_dir / "stages")}
    stage21 = result["stages/stage-21.csv"]
    assert stage21.read == good + 1
    assert stage21.quarantined == 4 and stage21.landed == good - 3
    rows = {r["location"]: r for r in _quarantine(catalog)}
    assert set(rows) == {f"stages/stage-21.csv:{n}" for n in (6, 7, 10, 13)}
    assert "lat = 'north'; expected a latitude" in rows["stages/stage-21.csv:6"]["reason"]
    assert (
        "lat = '95.0'; expected a latitude in degrees (-90 to 90)"
        in rows["stages/stage-21.csv:7"]["reason"]
    )
    assert "3 field(s); expected 10" in rows["stages/stage-21.csv:10"]["reason"]
    assert "repeats an earlier point" in rows["stages/stage-21.csv:13"]["reason"]
    assert rows["stages/stage-21.csv:10"]["payload"] == "point,8,48.8"
    # fixing the file clears its quarantine
    path.write_text("\n".join(lines[:5] + lines[13:]) + "\n")
    ingest_stages(catalog, settings.sources_dir / "stages")
    assert _quarantine(catalog) == []


def test_athletes_from_the_local_export(settings: Settings, catalog: Catalog) -> None:
    path = settings.sources_dir / "athletes" / "athletes.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[7], "heavy", 1)  # weight_kg
    path.write_text("\n".join(lines) + "\n")
    result = ingest_athletes(catalog, settings)
    assert (result.read, result.landed, result.quarantined) == (32, 31, 1)
    assert "weight_kg = 'heavy'" in _quarantine(catalog)[0]["reason"]
    assert ingest_athletes(catalog, settings).skipped


def test_athletes_from_a_google_sheet_with_a_server_error(
    settings: Settings, catalog: Catalog, tmp_path: Path
) -> None:
    with SheetsServer() as server:
        online = on_the_sheet(settings, server, tmp_path)
        push_athletes(make_riders(4, 4), online.sheets)
        server.state.fail_next(503)
        result = ingest_athletes(catalog, online)
    assert (result.landed, result.quarantined) == (32, 0)
    athletes = catalog.load_table("raw.athletes").scan().to_arrow()
    assert set(athletes["_source"].to_pylist()) == {"sheet BOOK/athletes"}
    assert athletes.num_rows == 32
