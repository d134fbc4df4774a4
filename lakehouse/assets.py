"""Run-time files (Trino's, Superset's, ...) found from the installed package or the checkout.

Each part keeps the files it needs at run time in a top-level folder of the repository:
`trino/` (server and catalog templates, views, access rules), `superset/` (its configuration,
requirements and dashboards as code), `gifs/` and `llm/`. The wheel ships each folder under
the package, as `lakehouse/_runtime/<part>/` (pyproject.toml, hatch `force-include`), where
`importlib.resources` finds it; an editable install or a checkout finds it next to the
package, in the repository. The installed copy is looked for first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from lakehouse.errors import ConfigurationError

Part = Literal["trino", "superset", "gifs", "llm"]

PACKAGED = "_runtime"
"""The package folder the wheel holds the parts' folders in."""

REQUIRED: dict[Part, tuple[str, ...]] = {
    "trino": ("etc", "catalog", "views"),
    "superset": ("superset_config.py", "requirements.txt", "constraints.txt", "assets"),
    "gifs": ("style.json", "fonts", "templates"),
    "llm": ("intents.toml", "glossary.toml", "views.toml", "prompts", "chat.html"),
}
"""What a part's folder must hold to be taken as the part's run-time files."""

CHECKOUT_MARKER = "pyproject.toml"
"""The file that tells a checkout (or editable install) from the folder a wheel is unpacked in."""


@dataclass(frozen=True)
class Place:
    """A folder that may hold the parts' folders, and what it is (for messages)."""

    what: str
    root: Path


def places() -> list[Place]:
    """Where the parts' folders are looked for, in order: the installed package, the checkout."""
    package = Path(str(resources.files("lakehouse")))
    found = [Place("the installed package", package / PACKAGED)]
    if (package.parent / CHECKOUT_MARKER).is_file():
        found.append(Place("the checkout", package.parent))
    return found


def find_part(part: Part, where: Sequence[Place]) -> Path:
    """The first folder of `part` under `where` that holds what the part needs.

    Raises ConfigurationError naming the folders looked at and what each one lacks.
    """
    if part not in REQUIRED:
        raise ConfigurationError(
            f"no run-time files are known for {part!r}: one of {list(REQUIRED)}"
        )
    lacking = []
    for place in where:
        folder = place.root / part
        if not folder.is_dir():
            lacking.append(f"{folder} ({place.what}): no such folder")
            continue
        missing = [name for name in REQUIRED[part] if not (folder / name).exists()]
        if not missing:
            return folder
        lacking.append(f"{folder} ({place.what}): missing {', '.join(missing)}")
    looked = "; ".join(lacking) or "nowhere to look"
    raise ConfigurationError(
        f"the run-time files of {part} were not found: {looked}. Reinstall the peloton package "
        f"(the wheel ships them under lakehouse/{PACKAGED}/{part}) or run from a checkout"
    )


def part_dir(part: Part) -> Path:
    """The folder of a part's run-time files: `trino`, `superset`, `gifs` or `llm`."""
    return find_part(part, places())
