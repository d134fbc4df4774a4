"""A static gallery of the flyby exports: an index of the stages and a page per stage.

The pages are filled from `marts.gif_exports` with the templates of gifs/templates/; the GIFs
are copied beside them (from the warehouse, local or S3, through the catalog's file IO), so
that the folder opens from disk or is served as it is by any web server, with no access to the
warehouse's bucket.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table

from lakehouse.assets import part_dir
from lakehouse.errors import PelotonError
from lakehouse.lake.gif_tables import GIF_EXPORTS
from lakehouse.lake.readers import read
from lakehouse.templates import render as fill

TEMPLATES = "templates"
STYLESHEET = "gallery.css"


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


def export_rows(catalog: Catalog) -> tuple[Table, list[dict[str, object]]]:
    """`marts.gif_exports` and its rows, stage by stage; refused when nothing is indexed."""
    try:
        table = catalog.load_table(GIF_EXPORTS.name)
    except NoSuchTableError:
        table = None
    rows = read(table).to_pylist() if table is not None else []
    if table is None or not rows:
        raise PelotonError(
            f"{GIF_EXPORTS.name} holds no export yet: run the gif_exports flow first "
            "(`peloton gif export`)"
        )
    return table, sorted(rows, key=lambda r: (int(str(r["stage"])), str(r["export_id"])))


def page_name(stage: int) -> str:
    return f"stage-{stage:02d}.html"


def gallery_pages(
    rows: list[dict[str, object]], src: Callable[[dict[str, object]], str]
) -> dict[str, str]:
    """index.html and a page per stage (by file name), each GIF shown from `src(row)`."""
    stages: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        stages.setdefault(int(str(row["stage"])), []).append(row)
    pages, index_rows = {}, []
    for stage, exports in stages.items():
        values = {
            "stage": str(stage),
            "stage_date": str(exports[0]["stage_date"]),
            "figures": "\n".join(_figure(row, src(row)) for row in exports),
        }
        pages[page_name(stage)] = fill(_template("stage.html"), values, "stage.html")
        duels = ", ".join(
            html.escape(f"{r['rider_a']} vs {r['rider_b']} ({r['segment_name']})") for r in exports
        )
        index_rows.append(
            f'<tr><td><a href="{page_name(stage)}">Stage {stage}</a></td>'
            f"<td>{exports[0]['stage_date']}</td><td>{len(exports)}</td><td>{duels}</td></tr>"
        )
    values = {
        "rows": "\n".join(index_rows),
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return {"index.html": fill(_template("index.html"), values, "index.html"), **pages}


def stylesheet() -> bytes:
    return (part_dir("gifs") / TEMPLATES / STYLESHEET).read_bytes()


def write_gallery(catalog: Catalog, out: Path) -> Gallery:
    """Write index.html, stage-NN.html and the GIFs under `out`; refused when nothing is indexed."""
    table, rows = export_rows(catalog)
    out.mkdir(parents=True, exist_ok=True)
    (out / STYLESHEET).write_bytes(stylesheet())

    def copied(row: dict[str, object]) -> str:
        folder = out / f"stage-{int(str(row['stage'])):02d}"
        folder.mkdir(exist_ok=True)
        name = str(row["path"]).rsplit("/", 1)[-1]
        with table.io.new_input(str(row["path"])).open() as source:
            (folder / name).write_bytes(source.read())
        return f"{folder.name}/{name}"

    written = []
    for name, text in gallery_pages(rows, copied).items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return Gallery(out, written, len(rows))
