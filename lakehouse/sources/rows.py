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
    """A source file that cannot be read at all (missing, or a required column absent)."""


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
    """Good rows as columns, and the rejected ones."""

    columns: dict[str, list[Any]]
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()), []))


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
    """Parse a CSV file; a missing file or a missing required column is a SourceFileError."""
    name = label or path.name
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise SourceFileError(f"{path}: empty file; expected a header line")
        require_columns(str(path), header, columns)
        return parse_rows(name, header, enumerate(reader, start=2), columns, row_check)


def require_columns(where: str, header: Sequence[str], columns: Sequence[Column]) -> None:
    """Every declared column must be in the header (its values may still be empty)."""
    missing = [c.name for c in columns if c.name not in header]
    if missing:
        raise SourceFileError(
            f"{where}: line 1: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(c.name for c in columns)}"
        )


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
    return parsed
