"""`peloton gif gallery` and `peloton gif serve`: the pages opened in Chromium, served over HTTP
on loopback, as a static folder and by the exports server."""

import functools
import hashlib
import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyiceberg.catalog import Catalog

from lakehouse.catalog import warehouse_location
from lakehouse.gifs.exports import export_gifs
from lakehouse.gifs.gallery import write_gallery
from lakehouse.gifs.server import export_key, exports_server
from lakehouse.settings import Settings
from lakehouse.superset.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served(
    lake: Settings, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[dict[str, object]]]]:
    export_gifs(catalog, warehouse_location(lake), log=lambda _: None)  # unchanged if done
    rows = catalog.load_table("marts.gif_exports").scan().to_arrow().to_pylist()
    folder = tmp_path_factory.mktemp("gallery")
    write_gallery(catalog, folder)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", rows
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def exports_served(
    served: tuple[str, list[dict[str, object]]], lake: Settings, catalog: Catalog
) -> Iterator[str]:
    """`peloton gif serve`'s server on a free port, over the same exports."""
    httpd = exports_server(catalog, lake, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("where", ["static folder", "exports server"])
def test_the_gallery_shows_every_export_in_chromium(
    where: str, request: pytest.FixtureRequest, served: tuple[str, list[dict[str, object]]]
) -> None:
    from playwright.sync_api import sync_playwright

    url, rows = served
    if where == "exports server":
        url = request.getfixturevalue("exports_served")
    stages = sorted({int(str(r["stage"])) for r in rows})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{url}/index.html")
            links = page.locator("#stages tbody a")
            assert links.all_inner_texts() == [f"Stage {s}" for s in stages]
            for stage in stages:
                page.goto(f"{url}/index.html")
                page.click(f"text=Stage {stage}")
                page.wait_for_load_state("load")
                expected = {str(r["export_id"]): r for r in rows if r["stage"] == stage}
                figures = page.locator("figure.export")
                assert figures.count() == len(expected)
                for i in range(figures.count()):
                    figure = figures.nth(i)
                    row = expected[str(figure.get_attribute("data-export"))]
                    image = figure.locator("img")
                    image.scroll_into_view_if_needed()
                    page.wait_for_function(
                        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
                    )
                    width = image.evaluate("img => img.naturalWidth")
                    assert width == 800
                    caption = figure.locator("figcaption").inner_text()
                    assert f"{row['rider_a']} (bib {row['bib_a']})" in caption
                    assert f"gap {float(str(row['gap_s'])):.1f} s" in caption
        finally:
            browser.close()


def test_the_exports_server_sends_indexed_gifs_only(
    exports_served: str, served: tuple[str, list[dict[str, object]]]
) -> None:
    _, rows = served
    for row in rows:
        with urllib.request.urlopen(f"{exports_served}/{export_key(str(row['path']))}") as got:
            assert got.headers["Content-Type"] == "image/gif"
            assert hashlib.sha256(got.read()).hexdigest() == row["content_hash"]
    stage_dir = export_key(str(rows[0]["path"])).rsplit("/", 1)[0]
    for path in (
        f"{stage_dir}/not-indexed.gif",
        f"{stage_dir}/../../../catalog.db",
        "stage-99.html",
        "exports/gifs/%2e%2e/%2e%2e/x",
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{exports_served}/{path}")
        assert refused.value.code == 404, path


def test_a_lakehouse_without_exports_is_refused(tmp_path: Path) -> None:
    from lakehouse.catalog import open_catalog
    from lakehouse.errors import PelotonError

    empty = open_catalog(Settings(home=tmp_path / "home", catalog={"kind": "sqlite"}))
    with pytest.raises(PelotonError, match="holds no export yet"):
        write_gallery(empty, tmp_path / "gallery")
    assert not (tmp_path / "gallery").exists()


def test_the_commands_export_and_write_the_gallery(
    served: tuple[str, list[dict[str, object]]],
    lake: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`peloton gif export` and `peloton gif gallery` through the `peloton` entry point."""
    import sys

    from lakehouse.cli import main
    from lakehouse.settings import get_settings

    _, rows = served
    monkeypatch.setenv("PELOTON_HOME", str(lake.home))
    monkeypatch.setenv("PELOTON_SOURCE__URL", lake.source.url.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setenv("PELOTON_SOURCE__SCHEMA_NAME", lake.source.schema_name)
    monkeypatch.setenv("PELOTON_CATALOG__NAME", lake.catalog.name)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    stage = str(rows[0]["stage"])
    for args in (["export", "--stage", stage], ["gallery", "--out", str(tmp_path / "g")]):
        monkeypatch.setattr(sys, "argv", ["peloton", "gif", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    exported = sum(1 for r in rows if str(r["stage"]) == stage)
    assert f"{exported} unchanged" in out
    assert f"{tmp_path / 'g' / 'index.html'}: " in out and f"{len(rows)} GIFs" in out
    assert (tmp_path / "g" / f"stage-{int(stage):02d}.html").exists()
