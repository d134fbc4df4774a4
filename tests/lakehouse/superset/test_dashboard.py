"""The stage explorer on a real Superset and Trino over the tiny race, in a real browser."""

import hashlib
import json
import os
import re
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cli_helpers import peloton

from lakehouse.catalog import open_catalog
from lakehouse.gifs.server import exports_server
from lakehouse.ports import free_port
from lakehouse.settings import GifsSettings, Settings, SupersetSettings
from lakehouse.superset.api import SupersetApi
from lakehouse.superset.assets import differences, export_assets, repository_assets
from lakehouse.superset.browser import render_dashboard
from lakehouse.superset.check import chart_data, stage_filter
from lakehouse.superset.refresh import refresh_dashboards
from lakehouse.superset.server import SupersetServer
from lakehouse.trino.client import run_sql
from lakehouse.typed_env import Secret

pytestmark = pytest.mark.integration
PASSWORD = "test-admin-password"
ARTIFACTS = Path(
    os.environ.get("PELOTON_TEST_ARTIFACTS") or Path(__file__).parents[3] / "test-artifacts"
)


COMMAND_LINES: list[str] = []
"""The command lines of the machine's processes seen while Superset was set up."""


def _watch_command_lines(stop: threading.Event) -> None:
    """Record every process's command line, every few milliseconds, until `stop` is set."""
    seen: set[str] = set()
    while not stop.wait(0.005):
        for entry in Path("/proc").iterdir():
            try:
                line = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except OSError:  # not a process, or one that just ended
                continue
            if line and line not in seen:
                seen.add(line)
                COMMAND_LINES.append(line)


@pytest.fixture(scope="module")
def superset(lake: Settings) -> Iterator[Settings]:
    settings = replace(
        lake,
        superset=SupersetSettings(
            url=f"http://127.0.0.1:{free_port()}",
            admin_password=Secret(PASSWORD),
            secret_key=Secret("a-test-secret-key-of-some-length"),
            workers=2,
        ),
        gifs=GifsSettings(port=free_port()),
    )
    server = SupersetServer(settings)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_command_lines, args=(stop,), daemon=True)
    watcher.start()
    try:
        try:
            server.start()
        finally:
            stop.set()
            watcher.join()
        yield settings
    finally:
        server.stop()


def _env(settings: Settings) -> dict[str, str]:
    return {
        "PELOTON_HOME": str(settings.home),
        "PELOTON_SUPERSET__URL": settings.superset.url,
        "PELOTON_SUPERSET__ADMIN_PASSWORD": PASSWORD,
        "PELOTON_TRINO__PORT": str(settings.trino.port),
        "PELOTON_GIFS__PORT": str(settings.gifs.port),
        "COLUMNS": "200",
    }


@pytest.fixture(scope="module")
def api(superset: Settings) -> Iterator[SupersetApi]:
    done = peloton("superset", "import", env=_env(superset))
    assert done.returncode == 0, done.stderr
    client = SupersetApi(superset)
    yield client
    client.close()


def chart_ids(api: SupersetApi) -> dict[str, int]:
    """The stage explorer's charts: id by name."""
    found = api.call("GET", "/api/v1/dashboard/stage-explorer/charts")["result"]
    return {c["slice_name"]: c["id"] for c in found}


def test_start_refuses_to_run_without_its_secrets(tmp_path: Path) -> None:
    done = peloton("superset", "start", env={"PELOTON_HOME": str(tmp_path)})
    assert done.returncode == 1
    assert "PELOTON_SUPERSET__SECRET_KEY" in done.stderr
    keyed = {"PELOTON_HOME": str(tmp_path), "PELOTON_SUPERSET__SECRET_KEY": "a-long-secret-key"}
    done = peloton("superset", "start", env=keyed)
    assert done.returncode == 1
    assert "PELOTON_SUPERSET__ADMIN_PASSWORD" in done.stderr
    assert not (tmp_path / "superset" / "venv").exists()  # refused before installing


def test_the_admin_password_is_in_no_command_line(superset: Settings) -> None:
    """While Superset was installed and set up, no process had the password in its argv (that
    every user of the machine can read); the admin user was created all the same."""
    assert any("create_admin.py" in line for line in COMMAND_LINES)  # the watcher saw it run
    assert [line for line in COMMAND_LINES if PASSWORD in line] == []


def test_the_server_runs_the_configured_gunicorn_workers(superset: Settings) -> None:
    server = SupersetServer(superset)
    master = int(server.pid_file.read_text().strip())
    children = [
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _parent(p) == master and b"gunicorn" in (p / "cmdline").read_bytes()
    ]
    assert len(children) == 2


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_check_fetches_every_chart_and_ends_with_a_json_summary(
    superset: Settings, api: SupersetApi
) -> None:
    done = peloton("superset", "check", "--stage", "17", "--json", env=_env(superset))
    assert done.returncode == 0, done.stdout + done.stderr
    *charts, summary = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert summary == {"charts": 7, "failed": [], "ok": True}
    assert all(c["ok"] and c["rows"] > 0 for c in charts)
    # out of the stage filter's scope, GC evolution is fetched whole: a row per stage
    evolution = next(c for c in charts if c["chart"] == "GC evolution: gap to the leader")
    assert (
        evolution["rows"]
        == run_sql(superset, "SELECT count(*) FROM marts.stage_summary", "bi").rows[0][0]
    )


def test_chart_values_match_the_marts(superset: Settings, api: SupersetApi) -> None:
    charts = chart_ids(api)
    summary = run_sql(
        superset,
        "SELECT winner_name, winner_time_s, avg_speed_kmh, finishers, starters "
        "FROM marts.stage_summary WHERE stage = 17",
        "bi",
    ).rows[0]
    (card,), _ = chart_data(api, charts["Stage in numbers"], stage=17)
    hours, minutes, seconds = (int(part) for part in card["winner_time"].split(":"))
    assert card["winner_name"] == summary[0]
    assert hours * 3600 + minutes * 60 + seconds == int(summary[1])
    assert card["average_speed"] == pytest.approx(summary[2], abs=0.05)
    assert (card["finishers"], card["starters"]) == (summary[3], summary[4])
    results, _ = chart_data(api, charts["Stage results"], stage=17)
    ranked = run_sql(
        superset,
        "SELECT rider_name, official_time_s, gap_s FROM marts.stage_results "
        "WHERE stage = 17 AND rank IS NOT NULL ORDER BY rank",
        "bi",
    ).rows
    assert results[0]["rank"] == 1 and results[0]["rider_name"] == ranked[0][0]
    # times read as a race's: h:mm:ss, gaps +m:ss (+h:mm:ss from an hour)
    shown = results[: len(ranked)]
    assert all(r["gap"].startswith("+") for r in shown)
    assert sorted((_seconds(r["official_time"]), _seconds(r["gap"][1:])) for r in shown) == sorted(
        (t, g) for _, t, g in ranked
    )
    assert max(g for _, _, g in ranked) > 60  # a gap of minutes is read as m:ss
    climbs, _ = chart_data(api, charts["Climb leaderboard"], stage=17)
    climb_times = run_sql(
        superset,
        "SELECT climb_name, rider_name, time_s FROM marts.climb_efforts "
        "WHERE stage = 17 AND rank <= 10",
        "bi",
    ).rows
    expected = {(c, r): round(t) for c, r, t in climb_times}
    assert {(c["climb_name"], c["rider_name"]): _seconds(c["climb_time"]) for c in climbs} == (
        expected
    )
    assert all(len(c["climb_time"].split(":")) == 3 for c in climbs)
    evolution, _ = chart_data(api, charts["GC evolution: gap to the leader"])
    assert {r["after_stage"] for r in evolution} == {16, 17, 21}
    # the gap in milliseconds, which the axis's duration format (DURATION_COL) reads as m:ss
    after = {r["after_stage"]: r for r in evolution}[17]
    gaps = dict(
        run_sql(
            superset,
            "SELECT rider_name, gap_s * 1000 FROM marts.general_classification WHERE stage = 17",
            "bi",
        ).rows
    )
    drawn = {rider: ms for rider, ms in after.items() if rider != "after_stage" and ms is not None}
    assert drawn and all(gaps[rider] == ms for rider, ms in drawn.items())


def _seconds(clock: str) -> int:
    """`h:mm:ss` or `m:ss` as seconds."""
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return total


def test_the_flyby_chart_links_open_each_gif_of_the_stage(
    superset: Settings, api: SupersetApi
) -> None:
    """The links point at the exports server (`peloton gif serve`), which sends the GIF."""
    charts = chart_ids(api)
    shown, _ = chart_data(api, charts["Flyby GIFs"], stage=17)
    hashes = dict(
        run_sql(
            superset,
            "SELECT export_path, content_hash FROM marts.gif_exports g JOIN views.flyby_exports f "
            "ON f.stage = g.stage AND f.export_id = g.export_id WHERE g.stage = 17",
            "bi",
        ).rows
    )
    assert len(shown) == len(hashes) > 0
    httpd = exports_server(open_catalog(superset), superset)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        for row in shown:
            (href,) = re.findall(r'href="([^"]+)"', row["gif"])
            assert href.startswith(f"{superset.gifs.base_url}/exports/gifs/stage=17/")
            with urllib.request.urlopen(href) as got:
                assert got.headers["Content-Type"] == "image/gif"
                key = href.removeprefix(superset.gifs.base_url + "/")
                assert hashlib.sha256(got.read()).hexdigest() == hashes[key]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_standings_sit_side_by_side(superset: Settings, api: SupersetApi) -> None:
    charts = chart_ids(api)
    shown, _ = chart_data(api, charts["Points and mountains standings"], stage=17)
    query = (
        "SELECT rider_name, points FROM marts.{} WHERE stage = 17 AND rank <= 10 "
        "ORDER BY rank, rider_name"
    )
    points = run_sql(superset, query.format("points_classification"), "bi").rows
    mountains = run_sql(superset, query.format("mountains_classification"), "bi").rows
    assert [r["position"] for r in shown] == list(range(1, len(shown) + 1))
    assert [[r["points_rider"], r["points"]] for r in shown if r["points_rider"]] == points
    assert [
        [r["mountains_rider"], r["mountains_points"]] for r in shown if r["mountains_rider"]
    ] == mountains


def test_the_route_map_draws_every_piece_coloured_by_speed(
    superset: Settings, api: SupersetApi
) -> None:
    charts = chart_ids(api)
    # a legacy chart type: its rows are deck.gl features, through /superset/explore_json/
    shown, _ = chart_data(api, charts["Stage route by speed"], stage=17)
    pieces = run_sql(superset, "SELECT geojson FROM views.route_speed WHERE stage = 17", "bi").rows
    drawn = sorted(json.dumps([f["geometry"], f["properties"]]) for f in shown)
    expected = [json.loads(p[0]) for p in pieces]
    assert drawn == sorted(json.dumps([f["geometry"], f["properties"]]) for f in expected)
    assert all(f["geometry"]["type"] == "LineString" for f in shown)
    assert all(len(f["geometry"]["coordinates"]) >= 2 for f in shown)
    assert all(f["properties"]["strokeColor"].startswith("#") for f in shown)


def test_warm_caches_every_chart_for_every_stage(superset: Settings, api: SupersetApi) -> None:
    done = peloton("superset", "warm", env=_env(superset))
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    stages = run_sql(superset, "SELECT count(*) FROM marts.stage_summary", "bi").rows[0][0]
    found = api.call("GET", "/api/v1/dashboard/stage-explorer/charts")["result"]
    charts = len(found)
    scope = stage_filter(api, "stage-explorer").excluded
    # GC evolution shows every stage, whatever the filter; its dataset has no stage column
    assert [c["slice_name"] for c in found if c["id"] in scope] == [
        "GC evolution: gap to the leader"
    ]
    # the stage filter's options, the chart out of its scope once, then every other chart for
    # every stage
    assert summary == {
        "stages": stages,
        "queries": 1 + len(scope) + stages * (charts - len(scope)),
        "seconds": summary["seconds"],
        "failed": [],
        "ok": True,
    }


def test_the_pipeline_step_refreshes_the_cache(superset: Settings, api: SupersetApi) -> None:
    infos: list[str] = []
    warnings: list[str] = []
    warmed = refresh_dashboards(superset, infos.append, warnings.append)
    assert warmed is not None and warmed.failed == [] and warnings == []
    assert warmed.stages == [16, 17, 21]
    assert infos[-1] == (
        f"Superset's cache refreshed: {warmed.queries} chart queries for 3 stages cached in "
        f"{warmed.seconds:.1f} s"
    )


def test_the_pipeline_step_tells_of_a_dashboard_not_imported_yet(superset: Settings) -> None:
    infos: list[str] = []
    warnings: list[str] = []
    assert refresh_dashboards(superset, infos.append, warnings.append, "not-imported") is None
    assert warnings == []
    assert infos == [
        f"Superset's cache not refreshed: no dashboard 'not-imported' at {superset.superset.url}"
        " yet (`peloton superset import`, then `peloton superset warm`)"
    ]


def test_an_export_diffs_clean_against_the_repository(superset: Settings, api: SupersetApi) -> None:
    assert differences(repository_assets(superset), export_assets(api)) == []


def test_the_dashboard_renders_in_chromium_without_an_error_panel(
    superset: Settings, api: SupersetApi
) -> None:
    shot = ARTIFACTS / "stage-explorer-17.png"
    rendered = render_dashboard(superset.superset.url, "admin", PASSWORD, shot, stage=17)
    assert len(rendered.charts) == 7, rendered.page_errors
    assert rendered.ok, ([c for c in rendered.charts if not c["rendered"] or c["error"]], rendered)
    # the import warmed the cache with the very queries the page sends: no chart waits on Trino
    # 7 charts and the filter's options, per render (Superset may mount the grid twice)
    assert len(rendered.cached) == 8 * rendered.renders and all(rendered.cached)
    # the stage filter applies to every chart in its scope (GC evolution is out of it)
    assert rendered.rejected == []
    assert shot.stat().st_size > 50_000
    # the route map's deck.gl canvas has drawn at its laid-out size before the render was timed
    (route,) = [c for c in rendered.charts if c["viz"] == "deck_geojson"]
    assert route["webgl"] and all(g["drawn"] == g["size"] != "300x150" for g in route["webgl"])
    results = next(c for c in rendered.charts if c["name"] == "Stage results")
    assert re.search(r"\b\d:\d\d:\d\d\b", results["text"]), results["text"]
    assert re.search(r"\+\d+:\d\d\b", results["text"]), results["text"]
    card = next(c for c in rendered.charts if c["name"] == "Stage in numbers")
    name = run_sql(
        superset, "SELECT winner_name FROM marts.stage_summary WHERE stage = 17", "bi"
    ).rows[0][0]
    assert name in card["text"]
    flyby = next(c for c in rendered.charts if c["name"] == "Flyby GIFs")
    exported = run_sql(
        superset, "SELECT count(*) FROM views.flyby_exports WHERE stage = 17", "bi"
    ).rows[0][0]
    assert len(flyby["links"]) == exported > 0  # links drawn as links, not HTML as text
    assert all(
        link.startswith(f"{superset.gifs.base_url}/exports/gifs/") for link in flyby["links"]
    )
