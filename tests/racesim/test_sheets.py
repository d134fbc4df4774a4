"""The athletes sheet: local CSV/XLSX export and the push to a (stand-in) Google Sheet."""

import csv
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import gspread
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2.service_account import Credentials
from openpyxl import load_workbook
from sheets_server import SheetsServer

from lakehouse.settings import SheetsSettings
from lakehouse.sources.sheets import read_values, redirected_http_client
from racesim.athletes import SHEET_COLUMNS, make_riders
from racesim.errors import SimulationError
from racesim.sheets import push_athletes, write_athletes

RIDERS = make_riders(3, 42)
BOOK = "1PelotonAthletesSheetId"
EMAIL = "peloton@peloton-test.iam.gserviceaccount.com"


def test_csv_and_xlsx_hold_the_riders_with_types(tmp_path: Path) -> None:
    csv_path, xlsx_path = write_athletes(RIDERS, tmp_path)
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(SHEET_COLUMNS)
    expected = [r.sheet_row() for r in RIDERS]
    assert any(e["strava_athlete_id"] is None for e in expected)
    for row, rider in zip(rows, expected, strict=True):
        parsed = {
            k: None
            if v == ""
            else date.fromisoformat(v)
            if k == "birth_date"
            else type(rider[k] if rider[k] is not None else 0)(v)
            for k, v in row.items()
        }
        assert parsed == rider
    sheet = load_workbook(xlsx_path)["athletes"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == SHEET_COLUMNS
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    for row, rider in zip(values[1:], expected, strict=True):
        record = dict(zip(SHEET_COLUMNS, row, strict=True))
        assert isinstance(record["birth_date"], datetime)
        assert record["birth_date"].date() == rider["birth_date"]
        assert {k: v for k, v in record.items() if k != "birth_date"} == {
            k: v for k, v in rider.items() if k != "birth_date"
        }


def test_files_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first = write_athletes(RIDERS, tmp_path / "a")
    time.sleep(1.1)  # openpyxl stamps the time of saving, to the second
    second = write_athletes(RIDERS, tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["athletes.csv", "athletes.xlsx"]


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture()
def server() -> Iterator[SheetsServer]:
    with SheetsServer() as srv:
        srv.state.create(BOOK)
        yield srv


@pytest.fixture()
def settings(server: SheetsServer, tmp_path: Path, private_key_pem: str) -> SheetsSettings:
    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "peloton-test",
                "private_key_id": "k1",
                "private_key": private_key_pem,
                "client_email": EMAIL,
                "client_id": "1",
                "token_uri": server.token_url,
            }
        )
    )
    return SheetsSettings(
        spreadsheet_id=BOOK, service_account_file=key_file, api_base_url=server.url
    )


def _read_back(settings: SheetsSettings) -> list[dict[str, object]]:
    assert settings.service_account_file is not None and settings.api_base_url is not None
    creds = Credentials.from_service_account_file(str(settings.service_account_file))
    client = gspread.Client(creds, http_client=redirected_http_client(settings.api_base_url))
    return client.open_by_key(BOOK).worksheet("athletes").get_all_records()


def _as_sheet(rider_row: dict[str, object]) -> dict[str, object]:
    return {
        k: "" if v is None else v.isoformat() if isinstance(v, date) else v
        for k, v in rider_row.items()
    }


def test_push_then_read_back_through_gspread(
    server: SheetsServer, settings: SheetsSettings
) -> None:
    url = push_athletes(RIDERS, settings)
    assert url == f"https://docs.google.com/spreadsheets/d/{BOOK}"
    assert list(server.state.books[BOOK]) == ["Sheet1", "athletes"]
    assert _read_back(settings) == [_as_sheet(r.sheet_row()) for r in RIDERS]
    writes = [r for r in server.state.requests if r.startswith("PUT ")]
    assert len(writes) == 1 and "valueInputOption=RAW" in writes[0]
    stored = server.state.books[BOOK]["athletes"]
    assert stored[0] == list(SHEET_COLUMNS)
    assert [type(v) for v in stored[1]] == [
        int,
        str,
        str,
        str,
        str,
        str,
        int,
        float,
        str,
        float,
        int,
        int,
        int,
    ]
    # a second push replaces the content instead of appending
    push_athletes(RIDERS[:5], settings)
    assert len(_read_back(settings)) == 5


def test_rate_limit_is_retried_then_lands(server: SheetsServer, settings: SheetsSettings) -> None:
    slept: list[float] = []
    server.state.fail_next(429)
    push_athletes(RIDERS, settings, delays_s=(0.01, 0.02), sleep=slept.append)
    assert slept == [0.01]
    assert len(server.state.books[BOOK]["athletes"]) == len(RIDERS) + 1


def test_persistent_server_error_fails_clearly(
    server: SheetsServer, settings: SheetsSettings
) -> None:
    server.state.fail_next(503, times=10)
    with pytest.raises(SimulationError) as err:
        push_athletes(RIDERS, settings, delays_s=(0.0, 0.0), sleep=lambda s: None)
    message = str(err.value)
    assert "error 503" in message and BOOK in message and "3 attempt(s)" in message
    assert "PRIVATE KEY" not in message and server.state.token not in message


def test_forbidden_names_the_account_to_share_with(
    server: SheetsServer, settings: SheetsSettings, private_key_pem: str
) -> None:
    server.state.fail_next(403, times=10)
    with pytest.raises(SimulationError, match=f"error 403 .* 1 attempt.*{EMAIL}") as err:
        push_athletes(RIDERS, settings, delays_s=(0.0, 0.0), sleep=lambda s: None)
    assert private_key_pem[40:80] not in str(err.value)


def test_missing_key_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    settings = SheetsSettings(spreadsheet_id=BOOK, service_account_file=missing)
    with pytest.raises(SimulationError, match=f"{missing}: service account key file not found"):
        push_athletes(RIDERS, settings)
    for content in ("{}", "not json {", '{"type": "service_account", "private_key": 3}'):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        with pytest.raises(SimulationError, match=f"{bad}: not a service account JSON key"):
            push_athletes(RIDERS, SheetsSettings(spreadsheet_id=BOOK, service_account_file=bad))
    with pytest.raises(SimulationError, match=f"{tmp_path}: cannot read"):
        push_athletes(RIDERS, SheetsSettings(spreadsheet_id=BOOK, service_account_file=tmp_path))


def test_unknown_spreadsheet_is_named(server: SheetsServer, settings: SheetsSettings) -> None:
    unknown = replace(settings, spreadsheet_id="no-such-sheet")
    with pytest.raises(SimulationError, match="error 404 on spreadsheet no-such-sheet"):
        push_athletes(RIDERS, unknown, delays_s=(0.0, 0.0), sleep=lambda s: None)


def test_a_worksheet_name_with_quotes_and_a_range_mark_is_one_name(
    server: SheetsServer, settings: SheetsSettings
) -> None:
    """The worksheet's title goes into A1 ranges quoted: a quote or a `!` stays in the title."""
    awkward = replace(settings, worksheet="Riders' list!A1")
    push_athletes(RIDERS[:4], awkward)
    assert "Riders' list!A1" in server.state.books[BOOK]
    values = read_values(awkward)
    assert values[0] == list(SHEET_COLUMNS) and len(values) == 5
