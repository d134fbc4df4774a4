"""A static gallery of the flyby exports: an index of the stages and a page per stage.

The pages are filled from `marts.gif_exports` with the templates of gifs/templates/; the GIFs
are copied beside them (from the warehouse, local or S3, through the catalog's file IO), so
that the folder opens from disk or is served as it is by any web server, with no access to the
warehouse's bucket.
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyiceberg.catalog import Catalog

from lakehouse.assets import part_dir
from lakehouse.errors import PelotonError
from lakehouse.lake.gif_tables import GIF_EXPORTS
from lakehouse.templates import render as fill

TEMPLATES = "templates"


@dataclass(frozen=True)
class Gallery:
    folder: Path
    pages: list[Path]
    gifs: int


def _template(name: str) -> str:
    return (part_dir("gifs") / TEMPLATES / name).read_text(encoding="utf-8")


def _figure(row: dict[str, object], src: str) -> str:
    e = html.escape
    a = f"{row['rider_a']} (bib {row['bib_a']})"
    b = f"{row['rider_b']} (bib {row['bib_b']})"
    segment = str(row["segment_name"])
    if row["category"]:
        segment += f" ({'HC' if row['category'] == 'HC' else 'cat. ' + str(row['category'])})"
    return (
        f'<figure class="export" data-export="{e(str(row["export_id"]))}">'
        f'<img src="{e(src)}" alt="{e(a)} vs {e(b)}, {e(segment)}" loading="lazy">'
        f'<figcaption><span class="riders">{e(a)} vs {e(b)}</span> · '
        f'<span class="segment">{e(segment)}</span> · '
        f'<span class="gap">gap {float(str(row["gap_s"])):.1f} s</span><br>{e(str(row["title"]))}'
        "</figcaption></figure>"
    )


def write_gallery(catalog: Catalog, out: Path) -> Gallery:
    """Write index.html, stage-NN.html and the GIFs under `out`; refused when nothing is indexed."""
    try:
        table = catalog.load_table(GIF_EXPORTS.name)
    except Exception:  # the table does not exist yet
        table = None
    rows = table.scan().to_arrow().to_pylist() if table is not None else []
    if not rows:
        raise PelotonError(
            f"{GIF_EXPORTS.name} holds no export yet: run the gif_exports flow first "
            "(`peloton gif export`)"
        )
    assert table is not None
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(part_dir("gifs") / TEMPLATES / "gallery.css", out / "gallery.css")
    stages: dict[int, list[dict[str, object]]] = {}
    for row in sorted(rows, key=lambda r: (r["stage"], r["export_id"])):
        stages.setdefault(int(str(row["stage"])), []).append(row)
    pages, index_rows = [], []
    for stage, exports in stages.items():
        folder = out / f"stage-{stage:02d}"
        folder.mkdir(exist_ok=True)
        figures = []
        for row in exports:
            name = str(row["path"]).rsplit("/", 1)[-1]
            with table.io.new_input(str(row["path"])).open() as source:
                (folder / name).write_bytes(source.read())
            figures.append(_figure(row, f"{folder.name}/{name}"))
        page = out / f"stage-{stage:02d}.html"
        values = {
            "stage": str(stage),
            "stage_date": str(exports[0]["stage_date"]),
            "figures": "\n".join(figures),
        }
        page.write_text(fill(_template("stage.html"), values, "stage.html"), encoding="utf-8")
        pages.append(page)
        duels = ", ".join(
            html.escape(f"{r['rider_a']} vs {r['rider_b']} ({r['segment_name']})") for r in exports
        )
        index_rows.append(
            f'<tr><td><a href="{page.name}">Stage {stage}</a></td><td>{exports[0]["stage_date"]}'
            f"</td><td>{len(exports)}</td><td>{duels}</td></tr>"
        )
    values = {
        "rows": "\n".join(index_rows),
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    index = out / "index.html"
    index.write_text(fill(_template("index.html"), values, "index.html"), encoding="utf-8")
    return Gallery(out, [index, *pages], len(rows))
