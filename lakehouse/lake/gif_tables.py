"""The index of the flyby GIFs the nightly exports wrote (lakehouse/gifs/exports.py)."""

from __future__ import annotations

from pyiceberg.types import DateType, DoubleType, IntegerType, LongType, StringType, TimestamptzType

from lakehouse.lake.definition import TableDef

GIF_EXPORTS = TableDef(
    name="marts.gif_exports",
    doc=(
        "Per stage, the flyby GIFs exported: which duel on which segment, the gap, the file in "
        "the warehouse's object storage and its content hash"
    ),
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage"),
        ("export_id", StringType(), True, "the duel's key within the stage (kind and segment)"),
        ("kind", StringType(), True, "finale, climb or general_classification"),
        ("title", StringType(), True, "what the duel is, as the GIF's caption says it"),
        ("segment_name", StringType(), True, "climb name, or what the range is"),
        ("category", StringType(), False, "HC, 1, 2, 3 or 4 for a climb"),
        ("start_km", DoubleType(), True, "segment start along the route (km)"),
        ("end_km", DoubleType(), True, "segment end along the route (km)"),
        ("bib_a", IntegerType(), True, "race number of the first rider"),
        ("rider_a", StringType(), True, "name of the first rider"),
        ("bib_b", IntegerType(), True, "race number of the second rider"),
        ("rider_b", StringType(), True, "name of the second rider"),
        ("gap_s", DoubleType(), True, "difference of the two riders' efforts on the segment (s)"),
        ("frames", IntegerType(), True, "frames of the GIF"),
        ("bytes", LongType(), True, "size of the GIF file (bytes)"),
        ("path", StringType(), True, "the GIF's location: <warehouse>/exports/gifs/stage=NN/..."),
        ("content_hash", StringType(), True, "SHA-256 of the GIF's bytes"),
        ("input_hash", StringType(), True, "SHA-256 of what it was drawn from (tracks, style)"),
        ("rendered_at", TimestamptzType(), True, "when the GIF was rendered"),
    ),
)
