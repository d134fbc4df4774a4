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
