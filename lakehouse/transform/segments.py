"""Segment efforts on demand: any distance range of a stage, computed from staging, not stored.

marts.segment_efforts holds the efforts on the segments every stage gets (its climbs and its
final 10 km); efforts_between computes rows of the same shape, fastest first, for a range
nobody defined in advance, such as the stretch a flyby animation shows.
"""

from __future__ import annotations

import pyarrow as pa
from pyiceberg.catalog import Catalog

from lakehouse.errors import PelotonError
from lakehouse.lake.mart_tables import SEGMENT_EFFORTS
from lakehouse.lake.readers import read_day
from lakehouse.lake.staging_tables import STAGING_TELEMETRY
from lakehouse.transform.efforts import route_segment, segment_efforts
from lakehouse.transform.facts import riders, routes, stage_facts
from lakehouse.transform.mart_rows import Day, segment_row, to_table
from lakehouse.transform.tracks import TRACK_COLUMNS, tracks_of_day


def efforts_between(catalog: Catalog, stage: int, start_km: float, end_km: float) -> pa.Table:
    """Every rider's effort on any range of a stage, for segments not stored (e.g. a flyby)."""
    facts = {f.stage: f for f in stage_facts(catalog).values()}
    if stage not in facts:
        raise PelotonError(f"stage {stage}: not in staging.stages; known: {sorted(facts)}")
    fact = facts[stage]
    if not 0 <= start_km < end_km <= fact.route_length_m / 1000.0 + 1e-9:
        raise PelotonError(
            f"stage {stage}: segment {start_km}-{end_km} km; expected 0 <= start < end <= "
            f"{fact.route_length_m / 1000.0:.3f} km (the route's length)"
        )
    name = f"km {start_km:g} to {end_km:g}"
    segment = route_segment(stage, routes(catalog)[stage], start_km * 1000.0, end_km * 1000.0, name)
    known = riders(catalog)
    track = read_day(catalog.load_table(STAGING_TELEMETRY.name), fact.stage_date, TRACK_COLUMNS)
    tracks = {a: t for a, t in tracks_of_day(track).items() if a in known}
    weights = {a: r.weight_kg for a, r in known.items() if r.weight_kg}
    day = Day(stage, fact.stage_date)
    rows = [
        segment_row(day, segment, (start_km, end_km), e, known[e.athlete_id])
        for e in segment_efforts(segment, tracks, weights)
    ]
    return to_table(rows, SEGMENT_EFFORTS)
