"""The athletes "Google Sheet": a local export (CSV and XLSX) and a push through gspread.

The files are byte-identical for the same riders (fixed document dates and zip entry times),
and written under a temporary name then renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse.settings import SheetsSettings
from lakehouse.sources.sheets import call_sheets
from racesim.athletes import SHEET_COLUMNS, Rider
from racesim.errors import SimulationError

if TYPE_CHECKING:  # imported where used: gspread and openpyxl take a second to import
    import gspread

FIXED_TIME = datetime(2023, 7, 1, 0, 0, 0)
"""Document and zip entry dates of the XLSX (the race's first day), for byte-identical files."""
FIXED_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


Table = tuple[Sequence[str], Sequence[Sequence[object]]]
"""A sheet as a header and rows of values (None for an empty cell)."""


def rider_table(riders: Sequence[Rider]) -> Table:
    """The athletes sheet's header and one row per rider."""
    return SHEET_COLUMNS, [list(rider.sheet_row().values()) for rider in riders]


def athletes_csv(riders: Sequence[Rider]) -> bytes:
    """The sheet as CSV: header, one row per rider, ISO dates, empty cells for missing ids."""
    return table_csv(rider_table(riders))


def table_csv(table: Table) -> bytes:
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")


def athletes_xlsx(riders: Sequence[Rider]) -> bytes:
    """The sheet as an XLSX workbook with typed cells, bold frozen header, fixed dates."""
    return table_xlsx(rider_table(riders))


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = table
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "athletes"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(list(row))
    if "birth_date" in header:
        date_col = list(header).index("birth_date") + 1
        for cells in sheet.iter_rows(min_row=2, min_col=date_col, max_col=date_col):
            cells[0].number_format = "yyyy-mm-dd"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "Peloton racesim"
    raw = io.BytesIO()
    workbook.save(raw)
    return _fix_zip_times(raw.getvalue())


def _fix_zip_times(data: bytes) -> bytes:
    """Rewrite a zip with constant entry times and document dates.

    openpyxl stamps the save time in the zip entries and in docProps/core.xml.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + FIXED_STAMP + rb"\g<2>", content)
            dst.writestr(info, content)
    return out.getvalue()


def write_athletes(riders: Sequence[Rider], out_dir: Path) -> tuple[Path, Path]:
    """Write athletes.csv and athletes.xlsx into `out_dir`; return their paths."""
    return write_sheet(rider_table(riders), out_dir)


def write_sheet(table: Table, out_dir: Path) -> tuple[Path, Path]:
    """Write a sheet as athletes.csv and athletes.xlsx into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = out_dir / "athletes.csv", out_dir / "athletes.xlsx"
    _atomic_write(csv_path, table_csv(table))
    _atomic_write(xlsx_path, table_xlsx(table))
    return csv_path, xlsx_path


def sheet_values(riders: Sequence[Rider]) -> list[list[Any]]:
    """Header and rows as the Sheets API takes them: numbers, ISO date strings, "" for None."""
    return table_values(rider_table(riders))


def table_values(table: Table) -> list[list[Any]]:
    header, rows = table
    values: list[list[Any]] = [list(header)]
    for row in rows:
        values.append(
            ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row]
        )
    return values


def _replace_values(
    client: gspread.Client, settings: SheetsSettings, values: list[list[Any]]
) -> str:
    import gspread

    assert settings.spreadsheet_id is not None
    book = client.open_by_key(settings.spreadsheet_id)
    try:
        sheet = book.worksheet(settings.worksheet)
    except gspread.WorksheetNotFound:
        sheet = book.add_worksheet(settings.worksheet, rows=len(values), cols=len(values[0]))
    sheet.clear()
    # one call for header and rows; RAW keeps ISO date strings as text, numbers as numbers
    sheet.update(values, "A1", raw=True)
    return str(book.url)


def push_athletes(
    riders: Sequence[Rider],
    settings: SheetsSettings,
    delays_s: Sequence[float] = (1.0, 2.0),
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Replace the worksheet's content with the athletes table; return the sheet's URL.

    API errors 429 and 5xx, and requests that get no answer, are tried again after each of
    `delays_s` (so `len(delays_s) + 1` tries in all); then the push fails with the spreadsheet
    id and the HTTP status. Credentials and tokens are never part of a message.
    """
    return push_table(rider_table(riders), settings, delays_s, sleep)


def push_table(
    table: Table,
    settings: SheetsSettings,
    delays_s: Sequence[float] = (1.0, 2.0),
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Replace the worksheet's content with `table`; retries and errors as `push_athletes`."""
    values = table_values(table)
    return call_sheets(
        lambda client: _replace_values(client, settings, values),
        settings,
        "pushing the athletes",
        error=SimulationError,
        delays_s=delays_s,
        sleep=sleep,
    )
