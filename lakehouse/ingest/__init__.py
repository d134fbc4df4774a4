"""Landing the sources in the `raw` layer: idempotent, incremental by day."""
