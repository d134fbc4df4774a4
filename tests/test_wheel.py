"""The wheel on its own: built, installed in a fresh virtualenv and run away from the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARTS = ["source database", "catalog", "storage", "java", "trino", "superset", "llm"]

# run by the installed venv's python: render Trino's configuration, read the dashboards
PROBE = """
import json, sys
from pathlib import Path

import lakehouse, lakehouse.assets, lakehouse.superset.assets, lakehouse.trino.config
from lakehouse.settings import get_settings
from lakehouse.superset.assets import rendered
from lakehouse.trino.client import view_files
from lakehouse.trino.config import Layout, write_config

settings = get_settings()
layout = Layout(Path(sys.argv[1]))
write_config(settings, layout)
modules = [lakehouse, lakehouse.assets, lakehouse.superset.assets, lakehouse.trino.config]
print(json.dumps({
    "modules": [m.__file__ for m in modules],
    "parts": {p: str(lakehouse.assets.part_dir(p)) for p in lakehouse.assets.REQUIRED},
    "etc": sorted(str(p.relative_to(layout.etc_dir)) for p in layout.etc_dir.rglob("*.*")),
    "views": [p.name for p in view_files()],
    "assets": sorted(rendered(settings)),
}))
"""


def _uv() -> str:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    assert Path(uv).is_file(), "uv is needed to build and install the wheel"
    return uv


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv, outside the checkout, with the wheel built from the checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    assert not tmp.is_relative_to(ROOT)
    uv = _uv()
    _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(tmp / "dist"), str(ROOT)], tmp)
    (wheel,) = (tmp / "dist").glob("peloton-*.whl")
    # the versions of the development environment, so that uv's cache has them all
    frozen = _run([uv, "pip", "freeze", "--python", sys.executable], tmp)
    constraints = tmp / "constraints.txt"
    constraints.write_text("\n".join(line for line in frozen.splitlines() if "==" in line))
    venv = tmp / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], tmp)
    python = str(venv / "bin" / "python")
    _run(
        [uv, "pip", "install", "--quiet", "--python", python, "-c", str(constraints), str(wheel)],
        tmp,
    )
    return venv


def _env(venv: Path, home: Path) -> dict[str, str]:
    """Nothing of the checkout: no PYTHONPATH, no PELOTON_* of the caller, a home of its own."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PELOTON_HOME": str(home / "peloton"),
        "PELOTON_SOURCE__URL": "postgresql://peloton:secret@127.0.0.1:5432/peloton",
    }


@pytest.mark.integration
def test_the_installed_wheel_runs_away_from_the_checkout(installed: Path, tmp_path: Path) -> None:
    env = _env(installed, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    doctor = _run([str(installed / "bin" / "peloton"), "doctor", "--json"], elsewhere, env)
    assert [c["part"] for c in json.loads(doctor)] == PARTS

    trino = tmp_path / "trino"
    probe = _run([str(installed / "bin" / "python"), "-c", PROBE, str(trino)], elsewhere, env)
    found: dict[str, Any] = json.loads(probe)
    site = installed / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    for module in found["modules"]:
        assert Path(module).is_relative_to(site / "site-packages"), module
    for part, folder in found["parts"].items():
        assert Path(folder) == site / "site-packages" / "lakehouse" / "_runtime" / part

    assert {"catalog/lakehouse.properties", "catalog/source.properties"} <= set(found["etc"])
    assert {"config.properties", "jvm.config", "node.properties", "rules.json"} <= set(found["etc"])
    lakehouse = (trino / "etc" / "catalog" / "lakehouse.properties").read_text()
    assert "{{" not in lakehouse and "jdbc:postgresql://127.0.0.1:5432/peloton" in lakehouse
    assert found["views"] == sorted(p.name for p in (ROOT / "trino" / "views").glob("*.sql"))

    assets = found["assets"]
    assert "dashboards/stage_explorer.yaml" in assets and "metadata.yaml" in assets
    charts = sorted(p.name for p in (ROOT / "superset" / "assets" / "charts").glob("*.yaml"))
    assert [a.removeprefix("charts/") for a in assets if a.startswith("charts/")] == charts
    assert not any(str(ROOT) in line for line in (probe + doctor).splitlines())
