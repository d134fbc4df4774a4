"""Row validation for file sources: typed columns, readable reasons, rejects kept for quarantine.

Each rejected row keeps its location (file and line), the reason (which field, what it held
and what was expected) and the row as it was read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lakehouse.errors import PelotonError


class SourceFileError(PelotonError):
    """A source file that cannot be read at all (missing, or a required column absent).

    `rejected`: the source's rows, each with the reason, where they are not lines of a file
    (a sheet's rows); a file's lines are read from the file itself when it is quarantined.
    """

    def __init__(self, message: str, rejected: list[Rejected] | None = None) -> None:
        super().__init__(message)
        self.rejected = rejected or []


@dataclass(frozen=True)
class Rejected:
    location: str
    reason: str
    payload: str


@dataclass(frozen=True)
class Column:
    """A source column: its parser (raising ValueError with what it expects) and nullability."""

    name: str
    parse: Callable[[str], Any]
    expected: str
    required: bool = True


@dataclass
class Parsed:
    """Good rows as columns (with where each was read and as it was), and the rejected ones."""

    columns: dict[str, list[Any]]
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    locations: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.locations)

    def reject_duplicates(self, key: str, expected: str) -> None:
        """Reject every row whose `key` another row shares, each naming all their lines.

        Neither row wins: which one is right is for the source's owner to say.
        """
        where: dict[Any, list[int]] = {}
        for i, value in enumerate(self.columns[key]):
            if value is not None:
                where.setdefault(value, []).append(i)
        repeated = {i: rows for rows in where.values() if len(rows) > 1 for i in rows}
        if not repeated:
            return
        for i in sorted(repeated):
            lines = [self.locations[j].rsplit(":", 1)[-1] for j in repeated[i]]
            reason = (
                f"{key} {self.columns[key][i]} is on lines {', '.join(lines)}; expected {expected}"
            )
            self.rejected.append(Rejected(self.locations[i], reason, self.payloads[i]))
        keep = [i for i in range(self.rows) if i not in repeated]
        self.columns = {name: [values[i] for i in keep] for name, values in self.columns.items()}
        self.locations = [self.locations[i] for i in keep]
        self.payloads = [self.payloads[i] for i in keep]


def integer(text: str) -> int:
    return int(text)


def number(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not lo <= value <= hi:
            raise ValueError(f"{value} out of [{lo}, {hi}]")
        return value

    return parse


def text(value: str) -> str:
    return value


def iso_date(value: str) -> date:
    return date.fromisoformat(value)


def timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(value)
        return value

    return parse


def _payload(row: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


def read_csv(
    path: Path,
    columns: Sequence[Column],
    label: str | None = None,
    row_check: Callable[[dict[str, Any]], str | None] | None = None,
) -> Parsed:
    """Parse a CSV file of UTF-8 text (a byte-order mark is allowed).

    SourceFileError, naming the file, when it cannot be read as a whole: missing, empty, not
    UTF-8 (the line and byte named), a required column absent, or a header and no row.
    """
    name = label or path.name
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    content = decode_utf8(path, path.read_bytes())
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader, None)
    if header is None:
        raise SourceFileError(f"{path}: empty file; expected a header line and rows")
    require_columns(str(path), header, columns)
    parsed = parse_rows(name, header, enumerate(reader, start=2), columns, row_check)
    return require_rows(str(path), parsed)


def require_rows(where: str, parsed: Parsed) -> Parsed:
    """A source with a header and no row would empty its table: it is refused instead."""
    if parsed.read == 0:
        raise SourceFileError(f"{where}: a header and no rows; expected at least one row")
    return parsed


def decode_utf8(path: Path, data: bytes) -> str:
    """The file's text; SourceFileError naming the line and byte where it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceFileError(
            f"{path}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; expected UTF-8 "
            "text (re-save the file as UTF-8)"
        ) from None


def require_columns(where: str, header: Sequence[str], columns: Sequence[Column]) -> None:
    """Every declared column must be in the header (its values may still be empty)."""
    missing = [c.name for c in columns if c.name not in header]
    if missing:
        raise SourceFileError(
            f"{where}: line 1: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(c.name for c in columns)}{_delimiter_hint(header)}"
        )


OTHER_DELIMITERS = (";", "\t", "|")


def _delimiter_hint(header: Sequence[str]) -> str:
    """Why a header is one field: the file is separated by something else than commas."""
    if len(header) != 1:
        return ""
    for delimiter in OTHER_DELIMITERS:
        if delimiter in header[0]:
            return (
                f"; the header is one field split by {delimiter!r}: expected fields separated "
                "by commas (re-save the file as comma-separated)"
            )
    return ""


def parse_rows(
    name: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    columns: Sequence[Column],
    row_check: Callable[[dict[str, Any]], str | None] | None = None,
) -> Parsed:
    """Validate rows against the columns; `row_check` may reject a parsed row with a reason."""
    index = {c.name: header.index(c.name) if c.name in header else None for c in columns}
    parsed = Parsed(columns={c.name: [] for c in columns})
    for line, row in rows:
        parsed.read += 1
        where = f"{name}:{line}"
        if len(row) != len(header):
            parsed.rejected.append(
                Rejected(
                    where,
                    f"{len(row)} field(s); expected {len(header)} ({', '.join(header)})",
                    _payload(row),
                )
            )
            continue
        values: dict[str, Any] = {}
        reason = None
        for column in columns:
            i = index[column.name]
            raw = row[i].strip() if i is not None else ""
            if raw == "":
                if column.required:
                    reason = f"{column.name} is empty; expected {column.expected}"
                    break
                values[column.name] = None
                continue
            try:
                values[column.name] = column.parse(raw)
            except ValueError:
                reason = f"{column.name} = {raw!r}; expected {column.expected}"
                break
        if reason is None and row_check is not None:
            reason = row_check(values)
        if reason is not None:
            parsed.rejected.append(Rejected(where, reason, _payload(row)))
            continue
        for key, value in values.items():
            parsed.columns[key].append(value)
        parsed.locations.append(where)
        parsed.payloads.append(_payload(row))
    return parsed
