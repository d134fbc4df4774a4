"""A simulation found in place (the demo run again) is recognised, and anything that differs
from what the simulator wrote is not: another seed, an edited file, a changed partition."""

from pathlib import Path

import psycopg
import pytest

from racesim.reuse import MANIFEST, already_simulated
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration
SEED, SCHEMA = 8, "reuse_src"


@pytest.fixture()
def sources(postgres_url: str, tmp_path: Path) -> Path:
    out = tmp_path / "sources"
    run_simulation("tiny", SEED, out, postgres_url, schema=SCHEMA)
    return out


def test_the_same_race_untouched_is_already_simulated(sources: Path, postgres_url: str) -> None:
    assert already_simulated(sources, postgres_url, "tiny", SEED, SCHEMA)
    assert not already_simulated(sources, postgres_url, "tiny", SEED + 1, SCHEMA)
    assert not already_simulated(sources, postgres_url, "small", SEED, SCHEMA)
    assert not already_simulated(sources, postgres_url, "tiny", SEED, "another_schema")


def test_an_edited_or_missing_file_simulates_again(sources: Path, postgres_url: str) -> None:
    stage_file = next(p for p in sorted(sources.rglob("*.csv")) if p.name != MANIFEST)
    stage_file.write_text(stage_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not already_simulated(sources, postgres_url, "tiny", SEED, SCHEMA)
    stage_file.unlink()
    assert not already_simulated(sources, postgres_url, "tiny", SEED, SCHEMA)


def test_changed_telemetry_simulates_again(sources: Path, postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        partition = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n "
            "ON n.oid = p.relnamespace WHERE n.nspname = %s AND p.relname = 'telemetry' "
            "ORDER BY 1 LIMIT 1",
            (SCHEMA,),
        ).fetchone()
        assert partition is not None
        conn.execute(
            f"DELETE FROM {SCHEMA}.{partition[0]} WHERE ctid IN "
            f"(SELECT ctid FROM {SCHEMA}.{partition[0]} LIMIT 1)"
        )
    assert not already_simulated(sources, postgres_url, "tiny", SEED, SCHEMA)


def test_no_manifest_is_not_a_simulation(tmp_path: Path, postgres_url: str) -> None:
    assert not already_simulated(tmp_path, postgres_url, "tiny", SEED, SCHEMA)
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    assert not already_simulated(tmp_path, postgres_url, "tiny", SEED, SCHEMA)
