"""The Iceberg catalog and warehouse, from settings (pyiceberg).

- `sql` (default): pyiceberg's SQL catalog in the source PostgreSQL, in the tables
  `iceberg_tables` and `iceberg_namespace_properties` that Trino's JDBC catalog also reads;
- `sqlite`: a SQL catalog in PELOTON_HOME/catalog.db (no Trino);
- `rest`: an Iceberg REST catalog at PELOTON_CATALOG__URI.

The warehouse is PELOTON_STORAGE__WAREHOUSE (`file://` or `s3://`), by default
PELOTON_HOME/warehouse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakehouse.postgres.connect import source_url
from lakehouse.settings import Settings

if TYPE_CHECKING:  # pyiceberg is imported when a catalog is opened, not with this module
    from pyiceberg.catalog import Catalog


def warehouse_location(settings: Settings) -> str:
    """Where table data and metadata are written."""
    if settings.storage.warehouse:
        return settings.storage.warehouse.rstrip("/")
    path = settings.home_dir / "warehouse"
    path.mkdir(parents=True, exist_ok=True)
    return path.as_uri()


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def catalog_properties(settings: Settings) -> dict[str, Any]:
    """pyiceberg properties of the configured catalog (secrets included: never print them)."""
    cat = settings.catalog
    props: dict[str, Any] = {"warehouse": warehouse_location(settings)}
    if cat.kind == "sql":
        uri = cat.uri.get_secret_value() if cat.uri else source_url(settings)
        props |= {"type": "sql", "uri": _sqlalchemy_url(uri), "init_catalog_tables": "true"}
    elif cat.kind == "sqlite":
        db = settings.home_dir / "catalog.db"
        db.parent.mkdir(parents=True, exist_ok=True)
        props |= {"type": "sql", "uri": f"sqlite:///{db}", "init_catalog_tables": "true"}
    else:
        props |= {"type": "rest", "uri": cat.uri.get_secret_value() if cat.uri else ""}
    storage = settings.storage
    if storage.s3_endpoint:
        props["s3.endpoint"] = storage.s3_endpoint
        props["s3.path-style-access"] = "true"
    props["s3.region"] = storage.s3_region
    if storage.s3_access_key_id and storage.s3_secret_access_key:
        props["s3.access-key-id"] = storage.s3_access_key_id.get_secret_value()
        props["s3.secret-access-key"] = storage.s3_secret_access_key.get_secret_value()
    return props


def open_catalog(settings: Settings) -> Catalog:
    """The configured catalog, with the `raw`, `staging` and `marts` namespaces present."""
    from pyiceberg.catalog import load_catalog

    catalog = load_catalog(settings.catalog.name, **catalog_properties(settings))
    for namespace in ("raw", "staging", "marts"):
        catalog.create_namespace_if_not_exists(namespace)
    return catalog
