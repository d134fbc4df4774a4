"""Fault profiles: the packaged default, scheduling for a seed, and a user's YAML checked."""

from pathlib import Path

import pytest
from cli_helpers import peloton

from racesim.errors import SimulationError
from racesim.faults import KINDS, load_profile, parse_profile, schedule

DAYS = 21


def test_the_default_profile_has_every_kind_once() -> None:
    specs = load_profile("default")
    assert sorted(s.kind for s in specs) == sorted(KINDS)
    assert load_profile("none") == [] and load_profile(None) == []


def test_a_seed_places_the_faults_the_same_way_on_free_nights() -> None:
    specs = load_profile("default")
    plan = schedule(specs, DAYS, 7)
    assert plan == schedule(specs, DAYS, 7)
    assert plan != schedule(specs, DAYS, 8)
    nights = [p.index for p in plan] + [p.repair_index for p in plan if p.repair_index]
    assert len(nights) == len(set(nights)), "a night holds one fault or one repair"
    assert min(nights) >= 2, "the first night stays clean"
    assert all(p.repair_index <= DAYS for p in plan if p.repair_index)
    for p in plan:
        assert (p.repair_index is not None) == KINDS[p.kind].repaired
        if p.kind == "telemetry-resent":
            assert p.repair_index == p.index + p.params["after"]


def test_a_day_given_in_the_profile_is_kept() -> None:
    specs = parse_profile(
        {"faults": [{"kind": "gps-outage", "day": 4, "minutes": 5}, {"kind": "telemetry-late"}]},
        "p.yaml",
    )
    plan = schedule(specs, DAYS, 1)
    assert (plan[0].index, plan[0].params) == (4, {"minutes": 5})
    assert plan[1].index not in (4, 5) or plan[1].repair_index != 4


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([1, 2], r"p\.yaml: expected a mapping with a `faults` list"),
        ({"faults": [], "extra": 1}, r"p\.yaml: unknown field 'extra'"),
        ({"faults": [{"kind": "lateness"}]}, r"faults\[0\]\.kind: 'lateness'; expected one of"),
        (
            {"faults": [{"kind": "gps-outage"}, {"kind": "telemetry-late", "share": 1.5}]},
            r"faults\[1\]\.share: 1\.5; expected a fraction between 0 and 1",
        ),
        (
            {"faults": [{"kind": "gps-outage", "minute": 3}]},
            r"faults\[0\]\.minute: unknown field for gps-outage; expected kind, day, minutes",
        ),
        (
            {"faults": [{"kind": "sheet-column-renamed", "column": "shoe_size"}]},
            r"faults\[0\]\.column: 'shoe_size'; expected one of bib, rider_name",
        ),
        (
            {"faults": [{"kind": "telemetry-resent", "offset_s": 0}]},
            r"faults\[0\]\.offset_s: 0; expected whole seconds from -3600 to 3600, not 0",
        ),
        ({"faults": [{"kind": "gps-outage", "day": "monday"}]}, r"faults\[0\]\.day: 'monday'"),
    ],
)
def test_a_bad_profile_names_the_entry_and_field(document: object, message: str) -> None:
    with pytest.raises(SimulationError, match=message):
        parse_profile(document, "p.yaml")


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        (
            [{"kind": "stage-file-truncated", "day": 21}],
            r"faults\[0\]\.day: 21; a stage-file-truncated is repaired 1 delivery\(ies\) later, "
            r"after the race's last \(21\)",
        ),
        ([{"kind": "gps-outage", "day": 30}], r"faults\[0\]\.day: 30; the race has 21 deliveries"),
        (
            [{"kind": "gps-outage", "day": 3}, {"kind": "telemetry-late", "day": 3}],
            r"^p\.yaml: faults\[1\]\.day: 3; faults\[0\] hits the telemetry source that night$",
        ),
        (
            [
                {"kind": "sheet-column-renamed", "day": 3},
                {"kind": "sheet-column-renamed", "day": 4},
            ],
            r"^p\.yaml: faults\[1\]\.day: 4; faults\[0\] is repaired that night in the same "
            r"sheet$",
        ),
        ([{"kind": "gps-outage"}] * 25, r"no free night left for every fault"),
    ],
)
def test_a_profile_that_does_not_fit_the_race_is_refused(
    faults: list[dict[str, object]], message: str
) -> None:
    specs = parse_profile({"faults": faults}, "p.yaml")
    with pytest.raises(SimulationError, match=message):
        schedule(specs, DAYS, 1)


def test_a_file_that_is_no_yaml_or_no_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("faults: [unclosed\n", encoding="utf-8")
    with pytest.raises(SimulationError, match=r"bad\.yaml: not a YAML file"):
        load_profile(bad)
    with pytest.raises(SimulationError, match=r"'missing\.yaml': no such file; expected default"):
        load_profile("missing.yaml")


def test_the_cli_refuses_a_bad_profile_naming_the_field(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text("faults:\n  - kind: gps-outage\n    minutes: 500\n", encoding="utf-8")
    done = peloton(
        "race", "start", "--no-load", "--faults", str(profile), "--out", str(tmp_path / "o"), env={}
    )
    assert done.returncode == 1
    assert "mine.yaml: faults[0].minutes: 500; expected whole minutes from 1 to 60" in done.stderr
    assert not (tmp_path / "o").exists()
