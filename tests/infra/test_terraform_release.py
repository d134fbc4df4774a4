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


def test_the_cloud_installs_this_version_by_default() -> None:
    wanted = f"peloton=={_version()}"
    shared = Folder(INFRA / "envs" / "shared").variables()
    assert shared["peloton_package"]["default"] == wanted
    assert Folder(INFRA / "modules" / "config").variables()["peloton_package"]["default"] == wanted
    for example in INFRA.glob("envs/*/apps/terraform.tfvars.example"):
        assert load(example)["peloton_package"] == wanted, example
