"""Readers of the systems of record: PostgreSQL telemetry, stage CSVs, the athletes sheet."""
