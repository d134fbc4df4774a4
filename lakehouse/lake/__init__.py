"""The table layer: every Iceberg table's definition, data files, commits, branches and readers."""
