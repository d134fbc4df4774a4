"""Whether a simulation's output is already in place: the same race, untouched.

`peloton demo` runs again in seconds when the sources already hold its race: the folder's
manifest names the scale and seed, the simulator that wrote it (a digest of this package's
code and data) and a digest of every file beside it, and the database holds exactly the
telemetry partitions, with the row counts, that the manifest lists. Anything else (another
seed, an edited or missing file, a partition added by an unfolding race or dropped by hand, a
newer simulator) simulates again.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc

MANIFEST = "manifest.json"
_PACKAGE = Path(__file__).parent


@cache
def simulator_digest() -> str:
    """SHA-256 of the simulator's code and data (this package's files)."""
    return _digest(_PACKAGE, {"__pycache__"})


def files_digest(folder: Path) -> str:
    """SHA-256 of every file of a simulation's output folder, its manifest aside."""
    return _digest(folder, {MANIFEST})


def _digest(folder: Path, skipped: set[str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or skipped & set(relative.parts):
            continue
        digest.update(f"{relative.as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def telemetry_partitions(url: str, schema: str) -> dict[str, int]:
    """Rows in each partition of `schema.telemetry` (none when the table does not exist)."""
    with adbc.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "JOIN pg_namespace n ON n.oid = p.relnamespace "
            "WHERE n.nspname = $1 AND p.relname = 'telemetry'",
            (schema,),
        )
        names = [str(name) for (name,) in cur.fetchall()]
        counts: dict[str, int] = {}
        for name in names:
            cur.execute(f'SELECT count(*) FROM "{schema}"."{name}"')
            row = cur.fetchone()
            counts[name] = int(row[0]) if row else 0
    return counts


def already_simulated(out_dir: Path, url: str, scale: str, seed: int, schema: str) -> bool:
    """True when `out_dir` and the database hold this scale and seed's race as the simulator
    wrote it (see the module's docstring)."""
    manifest_path = out_dir / MANIFEST
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = {"scale": scale, "seed": seed, "loaded": True, "schema": schema}
    if any(manifest.get(key) != value for key, value in expected.items()):
        return False
    if manifest.get("simulator") != simulator_digest():
        return False
    if manifest.get("files") != files_digest(out_dir):
        return False
    return telemetry_partitions(url, schema) == manifest.get("telemetry_rows")
