"""Unpacking the server archive, and rendering the configuration (no server needed)."""

import io
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from lakehouse.errors import ConfigurationError
from lakehouse.settings import Settings
from lakehouse.templates import render
from lakehouse.trino.config import Jdbc, Layout, write_config
from lakehouse.trino.install import SERVER, TRINO_VERSION, install_server

TOP = f"trino-server-{TRINO_VERSION}"


def _archive(path: Path) -> None:
    """A server archive shaped like Maven Central's: a jar shared by hard link across plugins."""
    with tarfile.open(path, "w:gz") as tar:

        def add(name: str, data: bytes = b"x", link: str | None = None) -> None:
            info = tarfile.TarInfo(f"{TOP}/{name}")
            if link is not None:
                info.type, info.linkname = tarfile.LNKTYPE, f"{TOP}/{link}"
                tar.addfile(info)
                return
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        add("bin/launcher", b"#!/bin/sh\n")
        add("lib/trino-main.jar")
        add("plugin/delta-lake/shared.jar", b"shared")  # stored here first
        add("plugin/iceberg/shared.jar", link="plugin/delta-lake/shared.jar")
        add("plugin/iceberg/trino-iceberg.jar")
        add("plugin/postgresql/trino-postgresql.jar")
        add("plugin/geospatial/trino-geospatial.jar")
        add("plugin/bigquery/trino-bigquery.jar")


def test_only_the_engine_and_three_plugins_are_unpacked(tmp_path: Path) -> None:
    archive = tmp_path / "maven" / SERVER.group / SERVER.file_name
    archive.parent.mkdir(parents=True)
    _archive(archive)  # as if fetched and verified already
    home = install_server(cache=tmp_path)
    assert sorted(p.name for p in (home / "plugin").iterdir()) == [
        "geospatial",
        "iceberg",
        "postgresql",
    ]
    assert (home / "plugin" / "iceberg" / "shared.jar").read_bytes() == b"shared"
    assert (home / "bin" / "launcher").is_file() and (home / "lib" / "trino-main.jar").is_file()
    assert not archive.exists()  # removed once unpacked
    assert install_server(cache=tmp_path) == home  # a second call finds it and fetches nothing


def test_render_fills_placeholders_and_drops_lines_left_empty() -> None:
    text = "a={{one}}\ns3.endpoint={{endpoint}}\nplain=1\n"
    assert render(text, {"one": "1", "endpoint": ""}, "t") == "a=1\nplain=1\n"
    with pytest.raises(ConfigurationError, match=r"t: no value for \{\{two\}\}"):
        render("b={{two}}", {}, "t")


def test_jdbc_parts_of_a_postgres_url() -> None:
    jdbc = Jdbc.from_url("postgresql://etl:s%40cret@db.example.org:5433/race?sslmode=require")
    assert jdbc == Jdbc(
        "jdbc:postgresql://db.example.org:5433/race?sslmode=require", "etl", "s@cret"
    )
    with pytest.raises(ConfigurationError, match="PostgreSQL URL"):
        Jdbc.from_url("sqlite:///catalog.db")


def test_rendered_catalogs_name_the_secrets_by_variable(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        source={"url": "postgresql://peloton:hunter2-secret@127.0.0.1:5432/peloton"},
        storage={
            "warehouse": "s3://lake/wh",
            "s3_access_key_id": "AK",
            "s3_secret_access_key": "SK-secret",
        },
    )
    layout = Layout.of(settings)
    write_config(settings, layout)
    lakehouse = (layout.etc_dir / "catalog" / "lakehouse.properties").read_text()
    assert "fs.native-s3.enabled=true" in lakehouse and "s3.endpoint" not in lakehouse  # AWS
    assert "connection-password=${ENV:PELOTON_TRINO_CATALOG_PASSWORD}" in lakehouse
    for path in layout.etc_dir.rglob("*.properties"):
        text = path.read_text()
        assert "hunter2-secret" not in text and "SK-secret" not in text
    with pytest.raises(ConfigurationError, match="kind must be `sql`"):
        write_config(
            replace(settings, catalog=Settings(catalog={"kind": "sqlite"}).catalog),
            layout,
        )


def test_the_readers_catalog_is_read_only_and_the_writers_the_same_lake(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, source={"url": "postgresql://etl:pw@127.0.0.1/peloton"})
    layout = Layout.of(settings)
    write_config(settings, layout)
    files = {p.stem: p.read_text() for p in (layout.etc_dir / "catalog").glob("*.properties")}
    assert set(files) == {"lakehouse", "lakehouse_rw", "source"}
    assert "iceberg.security=READ_ONLY" in files["lakehouse"]
    assert "iceberg.security=ALLOW_ALL" in files["lakehouse_rw"]
    assert "procedure.enabled" not in files["lakehouse"]
    # the same Iceberg catalog, warehouse and storage: every other setting is the writer's too
    settings_of = {line for line in files["lakehouse"].splitlines() if not line.startswith("#")}
    settings_of.remove("iceberg.security=READ_ONLY")
    assert settings_of <= set(files["lakehouse_rw"].splitlines())
