"""Iceberg table definitions: schemas with column docs and partition specs, declared once."""
