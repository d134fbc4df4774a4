"""The names of Trino's Iceberg catalogs and of the one user who writes (no import cost)."""

READER_CATALOG = "lakehouse"  # read-only for every user: what readers, views and dashboards query
WRITER_CATALOG = "lakehouse_rw"  # read-write, opened by trino/etc/rules.json to WRITER_USER only
WRITER_USER = "etl"
# each Iceberg catalog and its access template (trino/catalog/access-<name>.properties)
ICEBERG_CATALOGS = {READER_CATALOG: "read-only", WRITER_CATALOG: "read-write"}
