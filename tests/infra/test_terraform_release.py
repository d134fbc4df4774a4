"""Releases: `peloton --version` and the Peloton package the cloud installs by default."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from terraform_files import INFRA, REPO, Folder, load

PELOTON = Path(sys.executable).parent / "peloton"


def _version() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def test_peloton_version_prints_the_package_version() -> None:
    shown = subprocess.run([PELOTON, "--version"], capture_output=True, text=True, check=True)
    assert shown.stdout == f"peloton {_version()}\n"


def test_the_package_source_is_required_and_pinned() -> None:
    """No default: public PyPI's `peloton` is another project; the examples pin a wheel URL."""
    version = _version()
    shared = Folder(INFRA / "envs" / "shared").variables()
    assert "default" not in shared["peloton_package"]
    # the config module's is null for the platform states, which install nothing
    assert Folder(INFRA / "modules" / "config").variables()["peloton_package"]["default"] is None
    for example in INFRA.glob("envs/*/apps/terraform.tfvars.example"):
        package = load(example)["peloton_package"]
        assert package.startswith("peloton @ https://"), example
        assert f"/peloton-{version}-py3-none-any.whl#sha256=" in package, example
