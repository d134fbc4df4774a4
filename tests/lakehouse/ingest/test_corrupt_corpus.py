"""The corrupt-input corpus: each kind of bad input, in the source it can reach, and its outcome.

For every case the outcome is asserted (rows landed and quarantined, the reason, whether the
version landed before is kept) and rows read = rows landed + rows quarantined. The whole
table is in docs/reliability.md ("Bad input").
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from bad_telemetry import BAD, DAY, PARTITION, bad_batch
from pyiceberg.catalog import Catalog
from sheets_server import SheetsServer, on_the_sheet

from lakehouse.ingest.files import ingest_athletes, ingest_stages
from lakehouse.ingest.steps import IngestSummary
from lakehouse.ingest.telemetry import telemetry_table, write_day
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import SourceDay
from racesim.athletes import make_riders
from racesim.sheets import push_athletes

# (rows of the clean source, the corrupted bytes) -> (rows landed, rows quarantined)
Expect = Callable[[int, bytes], tuple[int, int]]


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # "stage file", "athletes export", "athletes sheet" or "telemetry day"
    corrupt: Callable[[bytes], bytes]
    expect: Expect
    reason: str  # in each quarantined row's reason (and in the note of a refused file)
    refused: bool = False  # refused whole: the version landed before is kept


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines()


def _joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def _latin1(data: bytes) -> bytes:
    header, first, *rest = _lines(data)
    return _joined([header, first + "\u00e9".encode("latin-1"), *rest])  # é as byte 0xe9


def _repeat_line(data: bytes) -> bytes:
    lines = _lines(data)
    return _joined([*lines[:12], lines[11], *lines[12:]])


def _repeat_race_number(data: bytes) -> bytes:
    header, first, second, *rest = _lines(data)
    twin = b",".join([first.split(b",")[0], *second.split(b",")[1:]])
    return _joined([header, first, second, *rest, twin])


def _rename(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def renamed(data: bytes) -> bytes:
        header, *rows = _lines(data)
        return _joined([b",".join(new if c == old else c for c in header.split(b",")), *rows])

    return renamed


def _complete_lines(corrupted: bytes) -> int:
    return corrupted.count(b"\n") - 1  # the header aside


ALL: Expect = lambda n, _: (n, 0)  # noqa: E731
NONE_ONE: Expect = lambda n, _: (0, 1)  # noqa: E731
NONE_ALL: Expect = lambda n, _: (0, n)  # noqa: E731

CASES = [
    Case("empty", "stage file", lambda _: b"", NONE_ONE, "empty file; expected", True),
    Case(
        "header only",
        "stage file",
        lambda d: _lines(d)[0] + b"\n",
        NONE_ONE,
        "a header and no rows; expected at least one row",
        True,
    ),
    Case(  # cut at half its bytes, in the middle of a line
        "truncated",
        "stage file",
        lambda d: d[: len(d) // 2],
        lambda n, cut: (_complete_lines(cut), 1),
        "field(s); expected 10",
    ),
    Case("byte-order mark", "stage file", lambda d: b"\xef\xbb\xbf" + d, ALL, ""),
    Case(
        "Latin-1",
        "stage file",
        _latin1,
        NONE_ALL,
        "line 2: byte 0xe9 is not UTF-8; expected UTF-8 text",
        True,
    ),
    Case(
        "wrong delimiter",
        "stage file",
        lambda d: d.replace(b",", b";"),
        NONE_ALL,
        "the header is one field split by ';': expected fields separated by commas",
        True,
    ),
    Case(
        "duplicate line",
        "stage file",
        _repeat_line,
        lambda n, _: (n, 1),
        "repeats an earlier point",
    ),
    Case(
        "duplicate race number",
        "athletes export",
        _repeat_race_number,
        lambda n, _: (n - 1, 2),
        "expected one rider per race number",
    ),
    Case(
        "renamed column",
        "stage file",
        _rename(b"lon", b"longitude"),
        NONE_ALL,
        "missing column(s) lon",
        True,
    ),
    Case(
        "renamed column",
        "athletes export",
        _rename(b"rider_name", b"name"),
        NONE_ALL,
        "missing column(s) rider_name",
        True,
    ),
    Case(
        "renamed column",
        "athletes sheet",
        _rename(b"rider_name", b"name"),
        NONE_ALL,
        "missing column(s) rider_name",
        True,
    ),
    Case(
        "out-of-range values",
        "telemetry day",
        lambda d: d,
        lambda n, _: (n - len(BAD), len(BAD)),
        "; expected ",
    ),
]


@dataclass(frozen=True)
class Outcome:
    clean_rows: int
    corrupted: bytes
    read: int
    landed: int
    quarantined: int
    note: str
    reasons: list[str]
    rows_before: int  # of the source's part, landed from the clean source
    rows_after: int
    where: str  # what a refused file's reasons name


def _reasons(catalog: Catalog, label: str) -> list[str]:
    rows = catalog.load_table("raw.quarantine").scan(row_filter=f"_source == '{label}'")
    return [str(r["reason"]) for r in rows.to_arrow().to_pylist()]


def _stage_file(case: Case, settings: Settings, catalog: Catalog, _: Path) -> Outcome:
    path = sorted((settings.sources_dir / "stages").glob("stage-*.csv"))[-1]
    stage, label = int(path.stem.split("-")[1]), f"stages/{path.name}"

    def land() -> tuple[object, int]:
        results = {r.source: r for r in ingest_stages(catalog, settings.sources_dir / "stages")}
        table = catalog.load_table("raw.stage_routes")
        return results[label], table.scan(row_filter=f"stage == {stage}").count()

    clean = path.read_bytes()
    _, before = land()
    path.write_bytes(case.corrupt(clean))
    result, after = land()
    return _file_outcome(clean, path.read_bytes(), result, _reasons(catalog, label), before, after)


def _file_outcome(
    clean: bytes, corrupted: bytes, result: object, reasons: list[str], before: int, after: int
) -> Outcome:
    read, landed, quarantined, note = (
        getattr(result, f) for f in ("read", "landed", "quarantined", "note")
    )
    source = str(getattr(result, "source"))  # noqa: B009
    rows = _complete_lines(clean)
    return Outcome(rows, corrupted, read, landed, quarantined, note, reasons, before, after, source)


def _athletes_export(case: Case, settings: Settings, catalog: Catalog, _: Path) -> Outcome:
    path = settings.sources_dir / "athletes" / "athletes.csv"
    clean = path.read_bytes()
    before = ingest_athletes(catalog, settings).landed
    path.write_bytes(case.corrupt(clean))
    result = ingest_athletes(catalog, settings)
    after = catalog.load_table("raw.athletes").scan().count()
    reasons = _reasons(catalog, result.source)
    outcome = _file_outcome(clean, path.read_bytes(), result, reasons, before, after)
    return replace(outcome, where=str(path))


def _athletes_sheet(case: Case, settings: Settings, catalog: Catalog, tmp_path: Path) -> Outcome:
    with SheetsServer() as server:
        online = on_the_sheet(settings, server, tmp_path)
        riders = make_riders(4, 4)
        push_athletes(riders, online.sheets)
        before = ingest_athletes(catalog, online).landed
        grid = server.state.books["BOOK"][online.sheets.worksheet]
        header = ",".join(str(c) for c in grid[0]).encode()
        grid[0] = case.corrupt(header + b"\n").decode().strip().split(",")
        result = ingest_athletes(catalog, online)
    after = catalog.load_table("raw.athletes").scan().count()
    return Outcome(
        len(riders),
        b"",
        result.read,
        result.landed,
        result.quarantined,
        result.note,
        _reasons(catalog, result.source),
        before,
        after,
        result.source,
    )


def _telemetry_day(case: Case, settings: Settings, catalog: Catalog, _: Path) -> Outcome:
    table = telemetry_table(catalog)
    batch = bad_batch()
    result = write_day(table, SourceDay(DAY, PARTITION, "cols", 0), [batch], "run-1")
    (row,) = IngestSummary(telemetry=[result]).rows()
    read, landed, quarantined = (int(str(row[k])) for k in ("read", "landed", "quarantined"))
    return Outcome(
        batch.num_rows,
        b"",
        read,
        landed,
        quarantined,
        str(row["note"]),
        _reasons(catalog, PARTITION),
        0,
        table.scan().count(),
        PARTITION,
    )


RUN = {
    "stage file": _stage_file,
    "athletes export": _athletes_export,
    "athletes sheet": _athletes_sheet,
    "telemetry day": _telemetry_day,
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.source}: {c.name}" for c in CASES])
def test_each_bad_input_has_its_outcome_and_every_row_is_counted(
    case: Case, settings: Settings, catalog: Catalog, tmp_path: Path
) -> None:
    outcome = RUN[case.source](case, settings, catalog, tmp_path)
    assert outcome.read == outcome.landed + outcome.quarantined
    expected = case.expect(outcome.clean_rows, outcome.corrupted)
    assert (outcome.landed, outcome.quarantined) == expected
    assert len(outcome.reasons) == outcome.quarantined
    assert all(case.reason in reason for reason in outcome.reasons), outcome.reasons[:3]
    if case.refused:
        assert case.reason in outcome.note and "previous version kept" in outcome.note
        assert outcome.rows_after == outcome.rows_before > 0
        assert all(outcome.where in reason for reason in outcome.reasons)
    else:
        assert outcome.rows_after == outcome.landed
