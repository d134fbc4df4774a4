"""The files under a table's location, as the object store (or the local disk) lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pyarrow import fs
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import Table


@dataclass(frozen=True)
class StoredFile:
    location: str
    """The file's full location (`file:///...`, `s3://bucket/...`), as metadata names it."""
    size: int
    modified: datetime | None


def _filesystem(table: Table, location: str) -> tuple[fs.FileSystem, str, str]:
    """The filesystem of `location`, the path in it, and the prefix that makes a location."""
    scheme, netloc, path = PyArrowFileIO.parse_location(location)
    io = table.io
    if isinstance(io, PyArrowFileIO):
        filesystem = io.fs_by_scheme(scheme, netloc)
    else:
        filesystem, _ = fs.FileSystem.from_uri(location)
    if scheme == "file":
        return filesystem, path, "file://"
    return filesystem, path, f"{scheme}://"


def stored_files(table: Table) -> list[StoredFile]:
    """Every file under the table's location (data and metadata), with size and mtime."""
    filesystem, root, prefix = _filesystem(table, table.location())
    selector = fs.FileSelector(root, recursive=True, allow_not_found=True)
    return [
        StoredFile(prefix + info.path, info.size or 0, info.mtime)
        for info in filesystem.get_file_info(selector)
        if info.type == fs.FileType.File
    ]


def normalized(location: str) -> str:
    """A location compared by path: `file:/x`, `file:///x` and `/x` are one file."""
    scheme, netloc, path = PyArrowFileIO.parse_location(location)
    return f"{scheme}://{netloc}/{path.lstrip('/')}"
