"""Each part's run-time files: found in the installed package first, then in the checkout."""

from pathlib import Path

import pytest

from lakehouse.assets import PACKAGED, REQUIRED, Part, Place, find_part, part_dir, places
from lakehouse.errors import ConfigurationError
from lakehouse.settings import Settings
from lakehouse.superset.assets import rendered
from lakehouse.trino.client import view_files

ROOT = Path(__file__).resolve().parents[2]


def _part(root: Path, part: Part, leave_out: str = "") -> Path:
    """A folder of `part` under `root` holding what the part needs, but `leave_out`."""
    folder = root / part
    folder.mkdir(parents=True)
    for name in REQUIRED[part]:
        if name != leave_out:
            (folder / name).mkdir()
    return folder


def test_a_checkout_finds_every_part_in_its_top_level_folders() -> None:
    assert [p.root for p in places()] == [ROOT / "lakehouse" / PACKAGED, ROOT]
    for part in REQUIRED:
        assert part_dir(part) == ROOT / part


def test_the_installed_copy_comes_before_the_checkout(tmp_path: Path) -> None:
    installed, checkout = Place("installed", tmp_path / "pkg"), Place("checkout", tmp_path)
    in_checkout = _part(tmp_path, "superset")
    assert find_part("superset", [installed, checkout]) == in_checkout
    in_package = _part(installed.root, "superset")
    assert find_part("superset", [installed, checkout]) == in_package


def test_a_folder_without_what_the_part_needs_is_passed_over(tmp_path: Path) -> None:
    # the Python client `trino` next to the package in site-packages is no Trino configuration
    client = tmp_path / "site-packages"
    (client / "trino").mkdir(parents=True)
    (client / "trino" / "__init__.py").write_text("")
    checkout = _part(tmp_path / "checkout", "trino")
    where = [Place("installed", client), Place("checkout", tmp_path / "checkout")]
    assert find_part("trino", where) == checkout


def test_a_missing_folder_is_named_with_what_it_lacks(tmp_path: Path) -> None:
    _part(tmp_path / "pkg", "trino", leave_out="views")
    where = [Place("the installed package", tmp_path / "pkg"), Place("the checkout", tmp_path)]
    with pytest.raises(ConfigurationError) as caught:
        find_part("trino", where)
    message = str(caught.value)
    assert f"{tmp_path / 'pkg' / 'trino'} (the installed package): missing views" in message
    assert f"{tmp_path / 'trino'} (the checkout): no such folder" in message
    assert "lakehouse/_runtime/trino" in message
    with pytest.raises(ConfigurationError, match="no run-time files are known for 'bench'"):
        find_part("bench", where)  # type: ignore[arg-type]


def test_views_and_dashboards_are_read_through_the_resolver(tmp_path: Path) -> None:
    assert [p.parent for p in view_files()] == [ROOT / "trino" / "views"] * len(view_files())
    assert "65_route_speed.sql" in [p.name for p in view_files()]
    assets = rendered(Settings(home=tmp_path))
    assert "dashboards/stage_explorer.yaml" in assets and "charts/stage_route.yaml" in assets
    assert "trino://bi@127.0.0.1:8080/lakehouse" in assets["databases/peloton_trino.yaml"]
