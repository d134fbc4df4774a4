"""The code's shape, checked: short functions, and the layers of docs/architecture.md as in
`.importlinter`."""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lakehouse", "flows", "racesim")
MAX_FUNCTION_LINES = 80


def _long_functions(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    where = path.relative_to(ROOT)
                    found.append(f"{where}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_functions_stay_short() -> None:
    long = [f for package in PACKAGES for f in _long_functions(ROOT / package)]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


MODULE = re.compile(r"(?:lakehouse\.\w+|flows|racesim)")


def _contract_layers() -> list[set[str]]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    lines = config["importlinter:contract:layers"]["layers"].strip().splitlines()
    return [{m.strip() for m in line.split("|")} for line in lines]


def _documented_layers() -> list[set[str]]:
    """The diagram of docs/architecture.md: a layer a line of packages (`|` between them, a
    trailing `|` going on to the next line), its description indented under it."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = text.split("```\n", 2)[1]
    layers: list[set[str]] = []
    going_on = False
    for line in diagram.splitlines():
        names = [name.strip() for name in line.strip().split("|") if name.strip()]
        if not line.startswith(" ") or line.startswith("  ") or not names:
            continue  # a connector or a description
        assert all(MODULE.fullmatch(name) for name in names), line
        if going_on:
            layers[-1] |= set(names)
        else:
            layers.append(set(names))
        going_on = line.rstrip().endswith("|")
    return layers


def test_the_documented_layers_are_the_contract() -> None:
    assert _documented_layers() == _contract_layers()


def test_every_package_is_in_a_layer() -> None:
    layered = set().union(*_contract_layers())
    packages = {
        f"lakehouse.{p.stem}"
        for p in (ROOT / "lakehouse").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert packages | {"flows", "racesim"} == layered


def test_the_table_layer_table_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The table layer", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(\w+)\.py`", section))
    modules = {p.stem for p in (ROOT / "lakehouse" / "lake").glob("*.py")} - {"__init__"}
    assert documented == modules
