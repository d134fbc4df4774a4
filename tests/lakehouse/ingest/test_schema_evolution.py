"""A source that gains a column or changes a type: the table follows, or nothing is written."""

from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lakehouse.catalog import open_catalog
from lakehouse.ingest.evolution import SchemaChangeError
from lakehouse.ingest.telemetry import land_telemetry
from lakehouse.settings import Settings
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration


def _setup(postgres_url: str, tmp_path: Path, schema: str) -> Settings:
    run_simulation("tiny", 33, tmp_path / "src", postgres_url, schema=schema)
    return Settings(home=tmp_path, source={"url": postgres_url}, catalog={"name": schema})


def test_new_nullable_column_is_added(postgres_url: str, tmp_path: Path) -> None:
    settings = _setup(postgres_url, tmp_path, "evo_add")
    catalog = open_catalog(settings)
    land_telemetry(catalog, postgres_url, schema="evo_add")
    with psycopg.connect(postgres_url) as conn:
        conn.execute("alter table evo_add.telemetry add column temperature_c real")
        conn.execute("update evo_add.telemetry_2023_07_19 set temperature_c = 21.5")
    results = land_telemetry(catalog, postgres_url, schema="evo_add")
    assert not any(r.skipped for r in results)  # the column list is part of the fingerprint
    table = catalog.load_table("raw.telemetry")
    field = table.schema().find_field("temperature_c")
    assert not field.required and str(field.field_type) == "float"
    data = table.scan(selected_fields=("stage_date", "temperature_c")).to_arrow()
    day19 = data.filter(pc.equal(data["stage_date"], pa.scalar(results[1].day, pa.date32())))
    assert pc.all(pc.equal(day19["temperature_c"], 21.5)).as_py()
    assert data.filter(pc.is_null(data["temperature_c"])).num_rows == data.num_rows - day19.num_rows


def test_type_change_that_cannot_widen_fails_and_writes_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = _setup(postgres_url, tmp_path, "evo_bad")
    catalog = open_catalog(settings)
    land_telemetry(catalog, postgres_url, schema="evo_bad")
    before = catalog.load_table("raw.telemetry").current_snapshot()
    with psycopg.connect(postgres_url) as conn:
        conn.execute("alter table evo_bad.telemetry alter column power_w type text")
    with pytest.raises(SchemaChangeError, match=r"column power_w is string in the source but int"):
        land_telemetry(catalog, postgres_url, schema="evo_bad")
    after = catalog.load_table("raw.telemetry")
    assert after.current_snapshot() == before
    assert str(after.schema().find_field("power_w").field_type) == "int"


def test_wider_source_type_widens_the_column(postgres_url: str, tmp_path: Path) -> None:
    settings = _setup(postgres_url, tmp_path, "evo_wide")
    catalog = open_catalog(settings)
    land_telemetry(catalog, postgres_url, schema="evo_wide")
    with psycopg.connect(postgres_url) as conn:
        conn.execute("alter table evo_wide.telemetry alter column power_w type bigint")
    land_telemetry(catalog, postgres_url, schema="evo_wide")
    table = catalog.load_table("raw.telemetry")
    assert str(table.schema().find_field("power_w").field_type) == "long"
    assert table.scan().to_arrow()["power_w"].null_count < table.scan().to_arrow().num_rows
