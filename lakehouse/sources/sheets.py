"""The Google Sheets API through gspread: client from settings, calls retried, errors named.

`PELOTON_SHEETS__API_BASE_URL` sends the calls to another host speaking the Sheets v4 API (a
proxy, or the test suite's stand-in); Google's otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lakehouse.errors import PelotonError
from lakehouse.settings import SheetsSettings

if TYPE_CHECKING:  # imported where used: gspread takes a second to import
    import gspread
    from gspread.http_client import HTTPClient

GOOGLE_SHEETS_ROOT = "https://sheets.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


def _credentials(key_file: Path, error: type[PelotonError]) -> Any:
    """Service account credentials from a JSON key file; errors name the file, never its content."""
    from google.oauth2.service_account import Credentials

    try:
        return Credentials.from_service_account_file(str(key_file), scopes=SCOPES)
    except FileNotFoundError:
        raise error(f"{key_file}: service account key file not found") from None
    except OSError as exc:
        raise error(
            f"{key_file}: cannot read the service account key file ({exc.strerror})"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        # the message of a parsing error may quote the key: only its type is reported
        raise error(
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


def sheets_client(
    settings: SheetsSettings, error: type[PelotonError] = PelotonError
) -> gspread.Client:
    """A gspread client with the service account key of the settings."""
    import gspread
    from gspread.http_client import HTTPClient

    key_file = settings.service_account_file
    if key_file is None:
        raise error(
            "PELOTON_SHEETS__SERVICE_ACCOUNT_FILE is not set: it is required to use the "
            "Google Sheet"
        )
    http_client = HTTPClient
    if settings.api_base_url:
        http_client = redirected_http_client(settings.api_base_url)
    return gspread.Client(auth=_credentials(key_file, error), http_client=http_client)


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


def call_sheets(
    call: Callable[[gspread.Client], T],
    settings: SheetsSettings,
    what: str,
    error: type[PelotonError] = PelotonError,
    delays_s: Sequence[float] = (1.0, 2.0),
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call` with a client; retry 429, 5xx and no-answer after each of `delays_s`.

    Then fail with `error`, naming the spreadsheet, the HTTP status and `what` was being done.
    Credentials and tokens are never part of a message.
    """
    from google.auth.exceptions import RefreshError
    from gspread.exceptions import GSpreadException
    from requests.exceptions import RequestException

    sheet_id = settings.spreadsheet_id
    if not sheet_id:
        raise error("PELOTON_SHEETS__SPREADSHEET_ID is not set: no Google Sheet configured")
    client = sheets_client(settings, error)
    where = f"spreadsheet {sheet_id}" + (
        f" at {settings.api_base_url}" if settings.api_base_url else ""
    )
    tries = len(delays_s) + 1
    for attempt in range(tries):
        last = attempt == tries - 1
        try:
            return call(client)
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
            raise error(
                f"Google Sheets API error {status} on {where} after {attempt + 1} attempt(s) "
                f"while {what}" + hint
            ) from None
        except RefreshError as exc:
            raise error(
                f"{settings.service_account_file}: the OAuth token endpoint refused the service "
                f"account key ({type(exc).__name__}) while {what} ({where})"
            ) from None
        except RequestException as exc:
            if not last:
                sleep(delays_s[attempt])
                continue
            raise error(
                f"no answer from the Google Sheets API for {where} after {attempt + 1} "
                f"attempt(s) while {what} ({type(exc).__name__})"
            ) from None
    raise AssertionError("unreachable")


def read_values(settings: SheetsSettings, **retry: Any) -> list[list[str]]:
    """Every cell of the worksheet as the sheet shows it (formatted strings), row by row."""

    def get(client: gspread.Client) -> list[list[str]]:
        assert settings.spreadsheet_id is not None
        sheet = client.open_by_key(settings.spreadsheet_id).worksheet(settings.worksheet)
        return [list(map(str, row)) for row in sheet.get_all_values()]

    return call_sheets(get, settings, "reading the athletes", **retry)
