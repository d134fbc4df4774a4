"""The nightly flyby exports: each stage's duels rendered to object storage, indexed in Iceberg.

For each stage, the duels of lakehouse.gifs.duels are read; a duel whose inputs (both riders'
tracks, the segment, the style) hash as the indexed export's did is left as it is; any other is
rendered and written to `<warehouse>/exports/gifs/stage=NN/<export_id>-<hash>.gif` (local
folder or S3, through the catalog's file IO). The stage's rows of `marts.gif_exports` are then
replaced in one commit, and the files no row points to any more are deleted. A duel that cannot
be drawn is skipped, a render that fails is reported; neither stops the others.

A night's run only opens the stages whose inputs changed: each stage's commit records a
fingerprint of what its duels are drawn from (`stage_inputs`: the day marts' fingerprints of
its day and of every day before it, since the general classification at a stage depends on
them all, and the style), and a stage whose recorded fingerprint still matches is reported
unchanged from the index alone, without reading its tracks. Naming stages explicitly checks
each of their duels again, files included.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.io import FileIO

from lakehouse.assets import part_dir
from lakehouse.errors import PelotonError
from lakehouse.gifs.duel import Duel
from lakehouse.gifs.duels import DuelSpec, wanted_duels
from lakehouse.gifs.flyby import render, request_duel
from lakehouse.gifs.race import Stage, known_stages, load_stage
from lakehouse.gifs.request import FlybyRequest
from lakehouse.gifs.style import STYLE_FILE
from lakehouse.lake.commits import ensure_table, landed_fingerprints, replace
from lakehouse.lake.gif_tables import GIF_EXPORTS
from lakehouse.lake.mart_tables import STAGE_RESULTS
from lakehouse.lake.readers import read
from lakehouse.transform.staging import with_lineage

Status = Literal["rendered", "unchanged", "skipped", "failed", "removed"]
EXPORTS_DIR = "exports/gifs"
EXPORTS_VERSION = "1"
"""Part of every stage's inputs fingerprint: raise it when the code that picks or draws the
duels changes what a stage's exports would be, so the next run looks at every stage again."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one export of a stage."""

    stage: int
    export_id: str
    status: Status
    detail: str
    path: str | None = None


def stage_folder(warehouse: str, stage: int) -> str:
    return f"{warehouse.rstrip('/')}/{EXPORTS_DIR}/stage={stage:02d}"


def stage_part(stage: int) -> str:
    """The part a stage's commits of marts.gif_exports replace."""
    return f"stage-{stage}"


def stage_inputs(catalog: Catalog) -> dict[int, str]:
    """Each known stage's fingerprint of what its exports are drawn from: the day marts of its
    day and of every earlier day (as recorded by their commits), the style, EXPORTS_VERSION."""
    days = landed_fingerprints(ensure_table(catalog, STAGE_RESULTS))
    digest = hashlib.sha256(EXPORTS_VERSION.encode())
    digest.update((part_dir("gifs") / STYLE_FILE).read_bytes())
    found: dict[int, str] = {}
    for facts in sorted(known_stages(catalog).values(), key=lambda f: f.stage_date):
        day = facts.stage_date.isoformat()
        digest.update(f"|{facts.stage}@{day}:{days.get(day, 'no marts')}".encode())
        found[facts.stage] = digest.copy().hexdigest()
    return found


def input_hash(spec: DuelSpec, duel: Duel) -> str:
    """SHA-256 of what the GIF is drawn from: the duel, both tracks, the route, the style."""
    digest = hashlib.sha256(repr(spec).encode())
    digest.update((part_dir("gifs") / STYLE_FILE).read_bytes())
    route = duel.stage.map
    for array in (route.lat, route.lon, route.cum_m, route.ele_m):
        digest.update(array.tobytes())
    for d in duel.duelists:
        t = d.track
        for array in (t.t_s, t.along_m, t.speed_kmh, t.heart_rate, t.power_w):
            digest.update(array.tobytes())
    return digest.hexdigest()


def _row(
    spec: DuelSpec, duel: Duel, path: str, data: bytes, frames: int, inputs: str
) -> dict[str, object]:
    a, b = (d.entrant for d in duel.duelists)
    seg = duel.segment
    return {
        "stage": spec.stage,
        "stage_date": duel.stage.facts.stage_date,
        "export_id": spec.export_id,
        "kind": spec.kind,
        "title": spec.caption,
        "segment_name": seg.segment.name,
        "category": seg.category,
        "start_km": seg.segment.start_m / 1000.0,
        "end_km": seg.segment.end_m / 1000.0,
        "bib_a": a.bib,
        "rider_a": a.name,
        "bib_b": b.bib,
        "rider_b": b.name,
        "gap_s": duel.gap_s,
        "frames": frames,
        "bytes": len(data),
        "path": path,
        "content_hash": hashlib.sha256(data).hexdigest(),
        "input_hash": inputs,
        "rendered_at": datetime.now(UTC),
    }


def _indexed(catalog: Catalog, stage: int) -> dict[str, dict[str, object]]:
    table = ensure_table(catalog, GIF_EXPORTS)
    rows = read(table, where=f"stage == {stage}").to_pylist()
    return {str(r["export_id"]): r for r in rows}


def _write(io: FileIO, path: str, data: bytes) -> None:
    with io.new_output(path).create(overwrite=True) as out:
        out.write(data)


def export_stage(
    catalog: Catalog,
    warehouse: str,
    stage: Stage,
    inputs: str,
    log: Callable[[str], None] = print,
) -> list[Outcome]:
    """Render the stage's duels that changed, index them, remove what no longer is; record
    `inputs` (the stage's `stage_inputs`) with the stage's exports."""
    number = stage.facts.stage
    table = ensure_table(catalog, GIF_EXPORTS)
    recorded = landed_fingerprints(table).get(stage_part(number))
    before = _indexed(catalog, number)
    specs, skipped = wanted_duels(catalog, stage)
    outcomes = [Outcome(number, s.export_id, "skipped", s.reason) for s in skipped]
    rows: list[dict[str, object]] = []
    for spec in specs:
        try:
            request = FlybyRequest(number, spec.segment, (str(spec.bibs[0]), str(spec.bibs[1])))
            duel = request_duel(catalog, request, spec.caption)
            drawn_from = input_hash(spec, duel)
            old = before.get(spec.export_id)
            if (
                old is not None
                and old["input_hash"] == drawn_from
                and table.io.new_input(str(old["path"])).exists()
            ):
                rows.append({k: v for k, v in old.items() if not k.startswith("_")})
                outcomes.append(
                    Outcome(
                        number, spec.export_id, "unchanged", "inputs unchanged", str(old["path"])
                    )
                )
                continue
            flyby = render(duel)
            digest = hashlib.sha256(flyby.data).hexdigest()
            path = f"{stage_folder(warehouse, number)}/{spec.export_id}-{digest[:12]}.gif"
            _write(table.io, path, flyby.data)
            rows.append(_row(spec, duel, path, flyby.data, flyby.frames, drawn_from))
            detail = f"{flyby.frames} frames, {len(flyby.data):,} bytes, gap {flyby.gap_s:.1f} s"
            outcomes.append(Outcome(number, spec.export_id, "rendered", detail, path))
            log(f"stage {number} {spec.export_id}: rendered ({detail})")
        except PelotonError as exc:
            outcomes.append(Outcome(number, spec.export_id, "skipped", str(exc)))
            log(f"stage {number} {spec.export_id}: skipped: {exc}")
        except Exception as exc:  # a failed render is reported; the other duels go on
            outcomes.append(
                Outcome(number, spec.export_id, "failed", f"{type(exc).__name__}: {exc}")
            )
            log(f"stage {number} {spec.export_id}: FAILED: {type(exc).__name__}: {exc}")
    kept = {str(r["path"]) for r in rows}
    gone = {k: r for k, r in before.items() if str(r["path"]) not in kept}
    failed = any(o.status == "failed" for o in outcomes)
    rendered = any(o.status == "rendered" for o in outcomes)
    if gone or rendered or (recorded != inputs and not failed):
        data = pa.Table.from_pylist(rows, schema=_schema())
        batch = uuid.uuid4().hex
        # a failed render is tried again next night: its stage keeps an outdated fingerprint
        fingerprint = "incomplete: a render failed" if failed else inputs
        replace(
            table,
            with_lineage(data, GIF_EXPORTS, "staging.telemetry", batch),
            f"stage == {number}",
            stage_part(number),
            fingerprint,
            batch,
        )
    for export_id, row in gone.items():
        table.io.delete(str(row["path"]))
        if export_id not in {s.export_id for s in specs}:
            outcomes.append(
                Outcome(
                    number, export_id, "removed", "no longer a duel of the stage", str(row["path"])
                )
            )
    return outcomes


def _schema() -> pa.Schema:
    return pa.schema([f for f in GIF_EXPORTS.schema().as_arrow() if not f.name.startswith("_")])


@dataclass(frozen=True)
class ExportPlan:
    """The stages a run opens, with their inputs' fingerprints, and those it leaves as they are."""

    changed: dict[int, str]
    unchanged: list[Outcome]
    """One `unchanged` outcome per indexed export of a stage whose inputs did not change."""


def plan_exports(catalog: Catalog, stages: Sequence[int] | None) -> ExportPlan:
    """Every stage whose inputs changed since its exports were indexed (all of `stages`, when
    named: each of their duels is checked again)."""
    inputs = stage_inputs(catalog)
    if stages is not None:
        unknown = sorted(set(stages) - set(inputs))
        if unknown:
            raise PelotonError(
                f"stages {unknown} are not in the lakehouse; known: {sorted(inputs)}"
            )
        return ExportPlan({s: inputs[s] for s in sorted(stages)}, [])
    table = ensure_table(catalog, GIF_EXPORTS)
    recorded = landed_fingerprints(table)
    same = {s for s, fp in inputs.items() if recorded.get(stage_part(s)) == fp}
    indexed = read(table, columns=("stage", "export_id", "path")).to_pylist()
    unchanged = [
        Outcome(r["stage"], r["export_id"], "unchanged", "stage inputs unchanged", r["path"])
        for r in sorted(indexed, key=lambda r: (r["stage"], r["export_id"]))
        if r["stage"] in same
    ]
    return ExportPlan({s: fp for s, fp in sorted(inputs.items()) if s not in same}, unchanged)


def export_gifs(
    catalog: Catalog,
    warehouse: str,
    stages: Sequence[int] | None = None,
    log: Callable[[str], None] = print,
) -> list[Outcome]:
    """The exports of every stage whose inputs changed (or of `stages`), stage after stage."""
    plan = plan_exports(catalog, stages)
    outcomes = list(plan.unchanged)
    for number, inputs in plan.changed.items():
        outcomes += export_stage(catalog, warehouse, load_stage(catalog, number), inputs, log)
    return outcomes
