"""Fault profiles of the unfolding race: what goes wrong in the sources, on which night.

A profile is a YAML file with a list of faults, each a `kind` (one of KINDS), an optional `day`
(the delivery it happens on, 1-based; drawn from the seed when absent) and the kind's own
parameters. `default` is the profile shipped with the package (racesim/data/faults/default.yaml),
`none` a clean race. Scheduling is deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from racesim.athletes import SHEET_COLUMNS
from racesim.errors import SimulationError

DEFAULT_PROFILE = "default"
NO_FAULTS = "none"
MAX_DRAWS = 200
"""Tries at placing the drawn faults on free nights before the profile is refused."""


@dataclass(frozen=True)
class Param:
    """A parameter of a fault kind: its default and how a value is checked."""

    default: Any
    check: Callable[[Any], bool]
    expected: str


def _fraction(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1


def _count(lo: int, hi: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _offset(value: Any) -> bool:
    return _count(-3600, 3600)(value) and value != 0


def _column(value: Any) -> bool:
    return value in SHEET_COLUMNS


def _name(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value not in SHEET_COLUMNS


@dataclass(frozen=True)
class Kind:
    """A kind of fault: the source it hits, what the pipeline should show, its parameters."""

    name: str
    source: str
    expect: str
    repaired: bool
    """Whether a later delivery repairs it (the next one; `after` days for a re-sent day)."""
    params: Mapping[str, Param] = field(default_factory=dict)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "telemetry-late",
            "telemetry",
            "late",
            True,
            {"share": Param(0.5, _fraction, "a fraction between 0 and 1")},
        ),
        Kind(
            "telemetry-duplicates",
            "telemetry",
            "deduplicated",
            False,
            {"share": Param(0.02, _fraction, "a fraction between 0 and 1")},
        ),
        Kind(
            "gps-outage",
            "telemetry",
            "gap",
            False,
            {"minutes": Param(10, _count(1, 60), "whole minutes from 1 to 60")},
        ),
        Kind(
            "telemetry-resent",
            "telemetry",
            "re-landed",
            True,
            {
                "offset_s": Param(30, _offset, "whole seconds from -3600 to 3600, not 0"),
                "after": Param(1, _count(1, 10), "whole days from 1 to 10"),
            },
        ),
        Kind(
            "stage-file-truncated",
            "stages",
            "quarantine",
            True,
            {"keep": Param(0.6, _fraction, "a fraction between 0 and 1")},
        ),
        Kind(
            "stage-file-corrupt",
            "stages",
            "quarantine",
            True,
            {"rows": Param(3, _count(1, 100), "a whole number of rows from 1 to 100")},
        ),
        Kind(
            "sheet-column-renamed",
            "athletes",
            "refused-file",
            True,
            {
                "column": Param("weight_kg", _column, f"one of {', '.join(SHEET_COLUMNS)}"),
                "to": Param("weight", _name, "a new column name, not one of the sheet's"),
            },
        ),
        Kind("source-restart", "telemetry", "retried", False),
    )
}
FIELDS = ("kind", "day")


@dataclass(frozen=True)
class FaultSpec:
    """One entry of a profile, checked: its kind, its night (None: drawn), its parameters."""

    kind: str
    day: int | None
    params: dict[str, Any]
    where: str
    """`FILE: faults[i]`, for errors about this entry."""

    @property
    def entry(self) -> str:
        """`faults[i]`, the entry without its file."""
        return self.where.rsplit(": ", 1)[-1]

    @property
    def after(self) -> int:
        """Deliveries until the repair (for a kind that is repaired)."""
        return int(self.params.get("after", 1))


@dataclass(frozen=True)
class Planned:
    """A fault placed on a night: delivery `index` (1-based), repaired at `repair_index`."""

    number: int
    """Its place in the profile: with the seed, it picks the rows and riders it hits."""
    kind: str
    index: int
    params: dict[str, Any]
    repair_index: int | None

    @property
    def source(self) -> str:
        return KINDS[self.kind].source

    @property
    def expect(self) -> str:
        return KINDS[self.kind].expect

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "index": self.index,
            "params": self.params,
            "repair_index": self.repair_index,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Planned:
        return cls(
            int(data["number"]),
            str(data["kind"]),
            int(data["index"]),
            dict(data["params"]),
            None if data["repair_index"] is None else int(data["repair_index"]),
        )


def profile_path(profile: str | Path) -> Path | None:
    """The YAML file of a profile name or path; None for `none`."""
    if str(profile) == NO_FAULTS:
        return None
    if str(profile) == DEFAULT_PROFILE:
        return Path(str(resources.files("racesim") / "data" / "faults" / "default.yaml"))
    path = Path(profile)
    if not path.is_file():
        raise SimulationError(
            f"fault profile {str(profile)!r}: no such file; expected {DEFAULT_PROFILE}, "
            f"{NO_FAULTS} or a YAML file"
        )
    return path


def load_profile(profile: str | Path | None) -> list[FaultSpec]:
    """Read and check a profile: `default`, `none` (or None) or a YAML file's path."""
    path = profile_path(profile) if profile is not None else None
    if path is None:
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SimulationError(f"{path}: not a YAML file ({str(exc).splitlines()[0]})") from None
    return parse_profile(document, str(path))


def parse_profile(document: Any, label: str) -> list[FaultSpec]:
    """Check a profile's content; every error names the entry and the field."""
    if not isinstance(document, dict) or "faults" not in document:
        raise SimulationError(f"{label}: expected a mapping with a `faults` list")
    unknown = sorted(set(document) - {"faults", "description"})
    if unknown:
        raise SimulationError(
            f"{label}: unknown field {unknown[0]!r}; expected faults, description"
        )
    entries = document["faults"] or []
    if not isinstance(entries, list):
        raise SimulationError(f"{label}: faults: expected a list of faults")
    return [_entry(item, f"{label}: faults[{i}]") for i, item in enumerate(entries)]


def _entry(item: Any, where: str) -> FaultSpec:
    if not isinstance(item, dict):
        raise SimulationError(f"{where}: expected a mapping with a `kind`")
    kind_name = item.get("kind")
    if kind_name not in KINDS:
        raise SimulationError(f"{where}.kind: {kind_name!r}; expected one of {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    for key in item:
        if key not in FIELDS and key not in kind.params:
            allowed = ", ".join((*FIELDS, *kind.params))
            raise SimulationError(
                f"{where}.{key}: unknown field for {kind_name}; expected {allowed}"
            )
    day = item.get("day")
    if day is not None and not _count(1, 366)(day):
        raise SimulationError(f"{where}.day: {day!r}; expected a delivery number from 1")
    params: dict[str, Any] = {}
    for name, param in kind.params.items():
        value = item.get(name, param.default)
        if not param.check(value):
            raise SimulationError(f"{where}.{name}: {value!r}; expected {param.expected}")
        params[name] = value
    return FaultSpec(kind_name, day, params, where)


def schedule(specs: list[FaultSpec], total: int, seed: int) -> list[Planned]:
    """Place every fault on a night of a race of `total` deliveries.

    A fault with a `day` stays there; the others are drawn from the seed onto nights that are
    neither a fault's night nor a repair's (the first night stays clean, as a baseline). A
    repaired fault needs its repair to come within the race; two faults of one source may not
    share a night (they would hit the same partition or file), nor may a sheet fault fall on
    the night an earlier one is repaired (the sheet is one file).
    """
    fixed = [(i, s) for i, s in enumerate(specs) if s.day is not None]
    for _, spec in fixed:
        assert spec.day is not None
        _check_fits(spec, spec.day, total)
    placed = {i: _plan(i, s, s.day) for i, s in fixed if s.day is not None}
    _check_clashes(specs, placed)
    drawn = [(i, s) for i, s in enumerate(specs) if s.day is None]
    rng = np.random.default_rng([seed, 6])
    for _ in range(MAX_DRAWS):
        attempt = dict(placed)
        busy = {d for p in placed.values() for d in (p.index, p.repair_index) if d is not None}
        for i, spec in drawn:
            free = [
                d
                for d in range(2, total + 1)
                if d not in busy
                and (not KINDS[spec.kind].repaired or d + spec.after <= total)
                and (not KINDS[spec.kind].repaired or d + spec.after not in busy)
            ]
            if not free:
                break
            day = int(rng.choice(free))
            attempt[i] = _plan(i, spec, day)
            busy |= {d for d in (day, attempt[i].repair_index) if d is not None}
        else:
            return [attempt[i] for i in sorted(attempt)]
    raise SimulationError(
        f"the fault profile has {len(specs)} faults and the race {total} deliveries: no free "
        f"night left for every fault (use a longer scale, fewer faults, or --faults {NO_FAULTS})"
    )


def _plan(number: int, spec: FaultSpec, day: int) -> Planned:
    repair = day + spec.after if KINDS[spec.kind].repaired else None
    return Planned(number, spec.kind, day, dict(spec.params), repair)


def _check_fits(spec: FaultSpec, day: int, total: int) -> None:
    if day > total:
        raise SimulationError(f"{spec.where}.day: {day}; the race has {total} deliveries")
    if KINDS[spec.kind].repaired and day + spec.after > total:
        raise SimulationError(
            f"{spec.where}.day: {day}; a {spec.kind} is repaired {spec.after} delivery(ies) "
            f"later, after the race's last ({total})"
        )


def _check_clashes(specs: list[FaultSpec], placed: dict[int, Planned]) -> None:
    nights: dict[tuple[str, int], int] = {}
    for i, p in sorted(placed.items()):
        if (p.source, p.index) in nights:
            other = specs[nights[(p.source, p.index)]].entry
            raise SimulationError(
                f"{specs[i].where}.day: {p.index}; {other} hits the {p.source} source that night"
            )
        nights[(p.source, p.index)] = i
    for i, p in placed.items():
        for j, q in placed.items():
            if i != j and p.source == q.source == "athletes" and q.repair_index == p.index:
                raise SimulationError(
                    f"{specs[i].where}.day: {p.index}; {specs[j].entry} is repaired that night "
                    "in the same sheet"
                )
