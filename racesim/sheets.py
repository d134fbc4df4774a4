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
from racesim.athletes import SHEET_COLUMNS, Rider
from racesim.errors import SimulationError

if TYPE_CHECKING:  # imported where used: gspread and openpyxl take a second to import
    import gspread
    from gspread.http_client import HTTPClient

FIXED_TIME = datetime(2023, 7, 1, 0, 0, 0)
"""Document and zip entry dates of the XLSX (the race's first day), for byte-identical files."""
FIXED_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
GOOGLE_SHEETS_ROOT = "https://sheets.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def athletes_csv(riders: Sequence[Rider]) -> bytes:
    """The sheet as CSV: header, one row per rider, ISO dates, empty cells for missing ids."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SHEET_COLUMNS)
    for rider in riders:
        writer.writerow(["" if v is None else v for v in rider.sheet_row().values()])
    return buffer.getvalue().encode("utf-8")


def athletes_xlsx(riders: Sequence[Rider]) -> bytes:
    """The sheet as an XLSX workbook with typed cells, bold frozen header, fixed dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "athletes"
    sheet.append(list(SHEET_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for rider in riders:
        sheet.append(list(rider.sheet_row().values()))
    date_col = SHEET_COLUMNS.index("birth_date") + 1
    for row in sheet.iter_rows(min_row=2, min_col=date_col, max_col=date_col):
        row[0].number_format = "yyyy-mm-dd"
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
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = out_dir / "athletes.csv", out_dir / "athletes.xlsx"
    _atomic_write(csv_path, athletes_csv(riders))
    _atomic_write(xlsx_path, athletes_xlsx(riders))
    return csv_path, xlsx_path


def sheet_values(riders: Sequence[Rider]) -> list[list[Any]]:
    """Header and rows as the Sheets API takes them: numbers, ISO date strings, "" for None."""
    rows: list[list[Any]] = [list(SHEET_COLUMNS)]
    for rider in riders:
        rows.append(
            [
                "" if v is None else v.isoformat() if isinstance(v, date) else v
                for v in rider.sheet_row().values()
            ]
        )
    return rows


def _credentials(key_file: Path) -> Any:
    """Service account credentials from a JSON key file; errors name the file, never its content."""
    from google.oauth2.service_account import Credentials

    try:
        return Credentials.from_service_account_file(str(key_file), scopes=SCOPES)
    except FileNotFoundError:
        raise SimulationError(f"{key_file}: service account key file not found") from None
    except OSError as exc:
        raise SimulationError(
            f"{key_file}: cannot read the service account key file ({exc.strerror})"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        # the message of a parsing error may quote the key: only its type is reported
        raise SimulationError(
            f"{key_file}: not a service account JSON key ({type(exc).__name__}: not JSON, or "
            "a field is missing or malformed)"
        ) from None


def redirected_http_client(base_url: str) -> type[HTTPClient]:
    """A gspread HTTP client class that sends Sheets API calls to `base_url` instead of Google.

    gspread builds every Sheets v4 URL from `gspread.urls.SPREADSHEETS_API_V4_BASE_URL`
    (https://sheets.googleapis.com/v4/spreadsheets...) and sends it through
    `HTTPClient.request`; this subclass swaps the https://sheets.googleapis.com root for
    `base_url` there, for its own clients only (no global state is patched). Drive API calls
    (open by title, sharing, export) are not redirected: the push does not make any.
    """
    from gspread.http_client import HTTPClient
    from requests import Response

    root = base_url.rstrip("/")

    class RedirectedHTTPClient(HTTPClient):
        def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Response:
            if endpoint.startswith(GOOGLE_SHEETS_ROOT):
                endpoint = root + endpoint[len(GOOGLE_SHEETS_ROOT) :]
            return super().request(method, endpoint, *args, **kwargs)

    return RedirectedHTTPClient


def _client(settings: SheetsSettings) -> gspread.Client:
    import gspread
    from gspread.http_client import HTTPClient

    key_file = settings.service_account_file
    if key_file is None:
        raise SimulationError(
            "PELOTON_SHEETS__SERVICE_ACCOUNT_FILE is not set: it is required to push the "
            "athletes to a Google Sheet"
        )
    http_client = HTTPClient
    if settings.api_base_url:
        http_client = redirected_http_client(settings.api_base_url)
    return gspread.Client(auth=_credentials(key_file), http_client=http_client)


def _replace_values(
    client: gspread.Client, settings: SheetsSettings, values: list[list[Any]]
) -> str:
    import gspread

    assert settings.spreadsheet_id is not None
    book = client.open_by_key(settings.spreadsheet_id)
    try:
        sheet = book.worksheet(settings.worksheet)
    except gspread.WorksheetNotFound:
        sheet = book.add_worksheet(settings.worksheet, rows=len(values), cols=len(SHEET_COLUMNS))
    sheet.clear()
    # one call for header and rows; RAW keeps ISO date strings as text, numbers as numbers
    sheet.update(values, "A1", raw=True)
    return str(book.url)


def _api_status(exc: BaseException) -> int | None:
    """The HTTP status of a Sheets API failure as gspread raises it, None for other errors.

    gspread raises APIError, except in open_by_key: SpreadsheetNotFound for a 404 and the
    built-in PermissionError for a 403 (both chained to the APIError).
    """
    from gspread.exceptions import APIError, SpreadsheetNotFound

    for error in (exc, exc.__cause__):
        if isinstance(error, APIError):
            return int(error.response.status_code)
    return 404 if isinstance(exc, SpreadsheetNotFound) else None


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
    from google.auth.exceptions import RefreshError
    from gspread.exceptions import GSpreadException
    from requests.exceptions import RequestException

    sheet_id = settings.spreadsheet_id
    if not sheet_id:
        raise SimulationError("PELOTON_SHEETS__SPREADSHEET_ID is not set: no sheet to push to")
    client = _client(settings)
    values = sheet_values(riders)
    where = f"spreadsheet {sheet_id}" + (
        f" at {settings.api_base_url}" if settings.api_base_url else ""
    )
    tries = len(delays_s) + 1
    for attempt in range(tries):
        last = attempt == tries - 1
        try:
            return _replace_values(client, settings, values)
        except (GSpreadException, PermissionError) as exc:
            status = _api_status(exc)
            if status is None:
                raise
            if status in RETRIED_STATUSES and not last:
                sleep(delays_s[attempt])
                continue
            hint = ""
            if status == 403:
                email = getattr(client.http_client.auth, "service_account_email", "?")
                hint = f"; share the sheet with the service account {email}"
            raise SimulationError(
                f"Google Sheets API error {status} on {where} after {attempt + 1} attempt(s)" + hint
            ) from None
        except RefreshError as exc:
            raise SimulationError(
                f"{settings.service_account_file}: the OAuth token endpoint refused the service "
                f"account key ({type(exc).__name__}) while pushing to {where}"
            ) from None
        except RequestException as exc:
            if not last:
                sleep(delays_s[attempt])
                continue
            raise SimulationError(
                f"no answer from the Google Sheets API for {where} after {attempt + 1} "
                f"attempt(s) ({type(exc).__name__})"
            ) from None
    raise AssertionError("unreachable")
