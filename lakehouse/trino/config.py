"""Trino's configuration, rendered from the templates in `trino/` into PELOTON_HOME/trino/etc.

The templates are Trino's run-time files, found by lakehouse.assets (in the installed package or
the checkout).

The templates hold `{{name}}` placeholders, filled from the settings; a line whose placeholders
are all empty is left out (an S3 endpoint on AWS, say). Secrets never reach a file: the catalog
files name environment variables (`${ENV:PELOTON_TRINO_...}`), which Trino reads at start-up
from the server's environment (`secret_environment`).

Catalogs: two Iceberg catalogs on the JDBC catalog in PostgreSQL that pyiceberg writes, and the
same warehouse (local files or S3): `lakehouse`, read-only for every user (the connector refuses
writes, table procedures and CALL), which readers query, and `lakehouse_rw`, read-write, which
the rules open to `etl` only; and `source` (PostgreSQL, the race database).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from lakehouse.assets import part_dir
from lakehouse.catalog import warehouse_location
from lakehouse.errors import ConfigurationError
from lakehouse.postgres.connect import reader_url, source_url
from lakehouse.settings import Settings
from lakehouse.templates import render
from lakehouse.trino.catalogs import ICEBERG_CATALOGS


@dataclass(frozen=True)
class Jdbc:
    """A PostgreSQL URL split for a JDBC driver: URL, user and password apart."""

    url: str
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> Jdbc:
        parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise ConfigurationError(
                "Trino's catalogs need a PostgreSQL URL (postgresql://user:password@host/db); "
                f"got one with scheme {parts.scheme!r}"
            )
        port = f":{parts.port}" if parts.port else ""
        # a parameter that holds a secret would end up in a catalog file: leave it out
        kept = [(k, v) for k, v in parse_qsl(parts.query) if "password" not in k.lower()]
        query = f"?{urlencode(kept)}" if kept else ""
        return cls(
            url=f"jdbc:postgresql://{parts.hostname}{port}{parts.path}{query}",
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


@dataclass(frozen=True)
class Layout:
    """Where a PELOTON_HOME keeps its Trino: configuration, data (logs, spill), rules."""

    root: Path

    @property
    def etc_dir(self) -> Path:
        return self.root / "etc"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def server_log(self) -> Path:
        return self.data_dir / "var" / "log" / "server.log"

    @classmethod
    def of(cls, settings: Settings) -> Layout:
        return cls(settings.home_dir / "trino")


def node_id(layout: Layout) -> str:
    """The node's id, the same for a PELOTON_HOME from one start to the next."""
    return "peloton-" + hashlib.sha1(str(layout.root).encode()).hexdigest()[:12]


def _catalog_jdbc(settings: Settings) -> Jdbc:
    if settings.catalog.kind != "sql":
        raise ConfigurationError(
            f"PELOTON_CATALOG__KIND={settings.catalog.kind}: Trino reads the Iceberg catalog "
            "from PostgreSQL, so the catalog kind must be `sql`"
        )
    uri = settings.catalog.uri.get_secret_value() if settings.catalog.uri else None
    return Jdbc.from_url(uri or source_url(settings))


def secret_environment(settings: Settings) -> dict[str, str]:
    """The variables the catalog files read their secrets from (pass them to the server)."""
    storage = settings.storage
    env = {
        "PELOTON_TRINO_CATALOG_PASSWORD": _catalog_jdbc(settings).password,
        "PELOTON_TRINO_SOURCE_PASSWORD": Jdbc.from_url(reader_url(settings)).password,
    }
    if storage.s3_access_key_id and storage.s3_secret_access_key:
        env["PELOTON_TRINO_S3_ACCESS_KEY"] = storage.s3_access_key_id.get_secret_value()
        env["PELOTON_TRINO_S3_SECRET_KEY"] = storage.s3_secret_access_key.get_secret_value()
    return env


def values(settings: Settings, layout: Layout) -> dict[str, str]:
    """Every placeholder's value (no secret among them)."""
    catalog = _catalog_jdbc(settings)
    source = Jdbc.from_url(reader_url(settings))  # the source is read with a read-only role
    trino, storage = settings.trino, settings.storage
    return {
        "environment": "peloton",
        "node_id": node_id(layout),
        "data_dir": str(layout.data_dir),
        "host": trino.host,
        "port": str(trino.port),
        "heap": trino.heap,
        "query_max_memory": trino.query_max_memory,
        "rules_file": str(layout.etc_dir / "rules.json"),
        "catalog_name": settings.catalog.name,
        "catalog_jdbc_url": catalog.url,
        "catalog_user": catalog.user,
        "warehouse": warehouse_location(settings),
        "s3_endpoint": storage.s3_endpoint or "",
        "s3_path_style": "true" if storage.s3_endpoint else "",
        "s3_region": storage.s3_region,
        "source_jdbc_url": source.url,
        "source_user": source.user,
    }


def write_config(settings: Settings, layout: Layout, templates: Path | None = None) -> None:
    """Render the server's files and the three catalogs under `layout`, replacing old ones.

    `templates` is Trino's run-time folder (`trino/`, found by lakehouse.assets by default).
    """
    templates = templates or part_dir("trino")
    filled = values(settings, layout)
    etc = layout.etc_dir
    (etc / "catalog").mkdir(parents=True, exist_ok=True)
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    for template in sorted((templates / "etc").iterdir()):
        text = render(template.read_text(encoding="utf-8"), filled, str(template))
        (etc / template.name).write_text(text, encoding="utf-8")
    lakehouse = (templates / "catalog" / "lakehouse.properties").read_text(encoding="utf-8")
    storage = "s3" if warehouse_location(settings).startswith("s3://") else "local"
    lakehouse += (templates / "catalog" / f"storage-{storage}.properties").read_text("utf-8")
    for name, access in ICEBERG_CATALOGS.items():
        text = lakehouse + (templates / "catalog" / f"access-{access}.properties").read_text(
            "utf-8"
        )
        (etc / "catalog" / f"{name}.properties").write_text(
            render(text, filled, "trino/catalog/lakehouse.properties"), encoding="utf-8"
        )
    source = (templates / "catalog" / "source.properties").read_text(encoding="utf-8")
    (etc / "catalog" / "source.properties").write_text(
        render(source, filled, "trino/catalog/source.properties"), encoding="utf-8"
    )
