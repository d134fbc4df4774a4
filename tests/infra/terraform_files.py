"""infra/terraform read with python-hcl2, and its provider-free config module applied offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra" / "terraform"
MODULES = INFRA / "modules"
ROOTS = {
    f"{cloud}/{state}": INFRA / "envs" / cloud / state
    for cloud in ("aws", "gcp")
    for state in ("platform", "apps")
}
OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)


@cache  # parsing is slow (lark); the tests only read the result
def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=OPTIONS)


@dataclass(frozen=True)
class Folder:
    """The blocks of one module or root folder, its `.tf` files merged (symlinks followed)."""

    path: Path

    @property
    def files(self) -> list[Path]:
        return sorted(self.path.glob("*.tf"))

    def blocks(self, kind: str) -> list[dict[str, Any]]:
        return [block for f in self.files for block in load(f).get(kind, [])]

    def variables(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks("variable") for name, body in block.items()}

    def modules(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks("module") for name, body in block.items()}

    def resources(self) -> list[tuple[str, str, dict[str, Any]]]:
        return [
            (kind, name, body)
            for block in self.blocks("resource")
            for kind, named in block.items()
            for name, body in named.items()
        ]

    def required_providers(self) -> dict[str, dict[str, str]]:
        return {
            name: spec
            for block in self.blocks("terraform")
            for providers in block.get("required_providers", [])
            for name, spec in providers.items()
        }

    def module_folders(self) -> dict[str, Folder]:
        return {
            name: Folder((self.path / body["source"]).resolve())
            for name, body in self.modules().items()
        }


def folders() -> list[Folder]:
    """Every module and root."""
    return [Folder(p) for p in sorted(MODULES.iterdir())] + [Folder(p) for p in ROOTS.values()]


def reached(folder: Folder) -> set[str]:
    """The component modules a folder calls, directly or through other modules (folder names)."""
    found: set[str] = set()
    for child in folder.module_folders().values():
        found.add(child.path.name)
        found |= reached(child)
    return found


def terraform_binary() -> str:
    """The machine's terraform, else the one `make infra-tools` built (check.sh's cache)."""
    cache = Path(os.environ.get("PELOTON_CACHE_DIR") or Path.home() / ".cache" / "peloton")
    cached = cache / "infra" / "bin" / "terraform"
    found = shutil.which("terraform") or (str(cached) if cached.exists() else None)
    if not found:
        raise RuntimeError("no terraform on PATH nor in the cache: run `make infra-tools`")
    return found


def config_outputs(
    workdir: Path, module: Path = MODULES / "config", **variables: str
) -> dict[str, Any]:
    """The config module's outputs for these variables: a root calling it, applied offline."""
    workdir.mkdir(parents=True, exist_ok=True)
    source = os.path.relpath(module, workdir)
    args = "\n".join(f"  {k} = {json.dumps(v)}" for k, v in variables.items())
    (workdir / "main.tf").write_text(
        f'module "config" {{\n  source = "{source}"\n{args}\n}}\n'
        'output "config" {\n  value = module.config\n}\n',
        encoding="utf-8",
    )
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": "/dev/null"}
    terraform = terraform_binary()
    for command in (
        ["init", "-backend=false", "-input=false"],
        ["apply", "-auto-approve", "-input=false"],
    ):
        subprocess.run(
            [terraform, *command, "-no-color"],
            cwd=workdir,
            env=env,
            check=True,
            capture_output=True,
        )
    shown = subprocess.run(
        [terraform, "output", "-json", "config"],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(shown.stdout)
