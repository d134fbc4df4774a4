"""Flyby GIFs: two riders replayed on a segment of a stage, drawn from staging telemetry."""
