from pathlib import Path

import pytest

from racesim.errors import SimulationError
from racesim.routes import default_data_dir, load_route, load_stages, resample

KNOWN_SHORT_TRACES = {3: -2.6}
"""Stage 3's surveyed path is 188.5 km against an official 193.5 km (the trace, not the
resampling, is short): documented in racesim/README.md."""


def test_shipped_data_has_21_stages_and_attribution() -> None:
    stages = load_stages()
    assert [s.stage for s in stages] == list(range(1, 22))
    assert [s.stage for s in stages if s.is_time_trial] == [16]
    assert "ODbL" in (default_data_dir() / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("stage", range(1, 22))
def test_route_length_matches_official_distance(stage: int) -> None:
    info = {s.stage: s for s in load_stages()}[stage]
    route = load_route(stage)
    course = resample(route)
    error_pct = 100 * (route.length_m / 1000 / info.distance_km - 1)
    if stage in KNOWN_SHORT_TRACES:
        assert error_pct == pytest.approx(KNOWN_SHORT_TRACES[stage], abs=0.1)
    else:
        assert abs(error_pct) < 1.0
    assert course.length_m == pytest.approx(route.length_m)
    assert course.x_m[1] - course.x_m[0] == pytest.approx(25.0, abs=0.5)


def _copy_data(tmp_path: Path, route_text: str) -> Path:
    src = default_data_dir()
    (tmp_path / "routes").mkdir()
    (tmp_path / "stages.csv").write_text((src / "stages.csv").read_text(encoding="utf-8"))
    (tmp_path / "routes" / "stage-01.csv").write_text(route_text)
    return tmp_path


def test_missing_route_file_names_the_file(tmp_path: Path) -> None:
    data = _copy_data(tmp_path, "seq,lat,lon,ele_m\n0,1,1,1\n1,1.1,1,1\n")
    with pytest.raises(SimulationError, match=r"stage-02\.csv: route file not found"):
        load_route(2, data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seq,lat,lon,ele_m\n0,43.1,-2.9,10\n1,north,-2.9,11\n", r"line 3: .*expected integer seq"),
        ("seq,lat,lon,ele_m\n0,43.1,-2.9,10\n1,95.0,-2.9,11\n", r"line 3: point .* out of range"),
        ("seq,lat,ele_m\n0,43.1,10\n", r"line 1: missing column\(s\) lon"),
        ("seq,lat,lon,ele_m\n0,43.1,-2.9,10\n0,43.2,-2.9,11\n", r"line 3: seq 0 after 0"),
        ("seq,lat,lon,ele_m\n0,43.1,-2.9,10\n", r"1 point\(s\); expected at least 2"),
    ],
)
def test_bad_route_file_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    data = _copy_data(tmp_path, text)
    with pytest.raises(SimulationError, match=r"stage-01\.csv: " + message):
        load_route(1, data)


def test_bad_stage_kind_is_named(tmp_path: Path) -> None:
    (tmp_path / "stages.csv").write_text(
        "stage,date,start,finish,distance_km,elevation_gain_m,kind\n1,2023-07-01,A,B,10,5,gravel\n"
    )
    with pytest.raises(SimulationError, match=r"stages\.csv: line 2: kind 'gravel'"):
        load_stages(tmp_path)
