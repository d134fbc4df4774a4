"""Recovery of a lost catalog: every table registered again from the warehouse's metadata files.

The catalog holds one pointer per table: its current metadata file. Everything else (schema,
snapshots, tags and branches, the files) lives in the warehouse, under
`<warehouse>/<namespace>/<table>/metadata/NNNNN-<uuid>.metadata.json`. When the catalog's
database is lost or rebuilt, each table's latest metadata file is found and registered again.

The latest is the highest version whose file parses and whose current snapshot is whole (its
manifest list, manifests and data files exist). A commit that failed after writing its
metadata file (another writer won, or the run was killed) leaves a file of a higher version
than the last commit, which may name files that were deleted when the commit failed: such a
file is passed over, and the report says why. A failed commit whose files all survive cannot
be told from a landed one; docs/recovery.md says what to check then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pyarrow import fs
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.io import FileIO, load_file_io
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.serializers import Compressor, FromInputFile
from pyiceberg.table.metadata import TableMetadata

from lakehouse.errors import PelotonError

METADATA_NAME = re.compile(r"(\d+)-[0-9a-fA-F-]{36}(\.gz)?\.metadata\.json")
"""The name of a metadata file as pyiceberg and Trino write it: version, uuid (gzipped)."""
TRINO_DIRECTORY = re.compile(r"(.+)-[0-9a-f]{32}")
"""A folder Trino creates for a table or view: its name and a uuid."""

Status = Literal["registered", "would register", "already registered", "replaced", "refused"]


class RecoveryError(PelotonError):
    """A table's metadata cannot be registered: the message names the file and why."""


class ViewMetadata(Exception):
    """The metadata file is a view's (Trino's views are created again by `peloton trino init`)."""


@dataclass(frozen=True)
class Candidate:
    """One metadata file of a table, and why it was passed over, if it was."""

    location: str
    version: int
    problem: str = ""


@dataclass(frozen=True)
class FoundTable:
    """A table found in the warehouse: its latest usable metadata file and what it holds."""

    identifier: str
    metadata_location: str
    version: int
    snapshots: int
    tags: tuple[str, ...]
    branches: tuple[str, ...]
    current_snapshot_id: int | None
    passed_over: tuple[Candidate, ...] = ()


@dataclass
class Registration:
    """What registering one table did (or would do, in a dry run)."""

    table: FoundTable
    status: Status
    detail: str = ""


@dataclass
class RecoveryReport:
    registrations: list[Registration] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Tables found in the warehouse that could not be registered, each naming the file."""
    views: list[str] = field(default_factory=list)
    """Views found (not registered: `peloton trino init` creates them again)."""

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.status != "refused" for r in self.registrations)


def _filesystem(io: FileIO, location: str) -> tuple[fs.FileSystem, str]:
    """The pyarrow file system of `location` (credentials from the catalog's properties)."""
    arrow_io = io if isinstance(io, PyArrowFileIO) else PyArrowFileIO(io.properties)
    scheme, netloc, path = arrow_io.parse_location(location)
    return arrow_io.fs_by_scheme(scheme, netloc), path


def _listing(filesystem: fs.FileSystem, path: str) -> list[fs.FileInfo]:
    try:
        return list(filesystem.get_file_info(fs.FileSelector(path, allow_not_found=True)))
    except OSError as exc:
        raise RecoveryError(f"cannot list {path}: {exc}") from None


def _scheme_prefix(location: str) -> str:
    return location.split("://", 1)[0] + "://" if "://" in location else ""


def metadata_files(io: FileIO, warehouse: str) -> dict[str, list[Candidate]]:
    """Every table's metadata files under `<warehouse>/<namespace>/<table>/metadata/`, by table
    identifier (`namespace.table`), the highest version first."""
    filesystem, root = _filesystem(io, warehouse)
    prefix = _scheme_prefix(warehouse)
    found: dict[str, list[Candidate]] = {}
    for namespace in _listing(filesystem, root):
        if namespace.type != fs.FileType.Directory:
            continue
        for table in _listing(filesystem, namespace.path):
            if table.type != fs.FileType.Directory:
                continue
            files = [
                Candidate(prefix + info.path, int(match.group(1)))
                for info in _listing(filesystem, f"{table.path}/metadata")
                if info.type == fs.FileType.File
                and (match := METADATA_NAME.fullmatch(info.base_name))
            ]
            if files:
                schema_name = namespace.base_name.removesuffix(".db")
                named = TRINO_DIRECTORY.fullmatch(table.base_name)
                identifier = f"{schema_name}.{named.group(1) if named else table.base_name}"
                found[identifier] = sorted(files, key=lambda c: c.version, reverse=True)
    return found


def _is_view(io: FileIO, location: str) -> bool:
    try:
        with io.new_input(location).open() as stream:
            head = Compressor.get_compressor(location).stream_decompressor(stream).read(4096)
    except Exception:  # unreadable: reported as such by the caller
        return False
    return b'"view-uuid"' in head


def _read(io: FileIO, location: str) -> TableMetadata:
    try:
        return FromInputFile.table_metadata(io.new_input(location))
    except FileNotFoundError:
        raise RecoveryError(f"{location}: not found") from None
    except Exception as exc:  # JSON or schema errors: what was wrong, in the file named
        if _is_view(io, location):
            raise ViewMetadata(location) from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problem = f"not a readable Iceberg table metadata file: {first}"
        raise RecoveryError(f"{location}: {problem}") from None


def _missing_file(io: FileIO, metadata: TableMetadata) -> str:
    """The first file the current snapshot needs that is missing ('' when it is whole)."""
    snapshot = metadata.current_snapshot()
    if snapshot is None:
        return ""
    if not io.new_input(snapshot.manifest_list).exists():
        return snapshot.manifest_list
    for manifest in snapshot.manifests(io):
        if not io.new_input(manifest.manifest_path).exists():
            return manifest.manifest_path
        for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
            if not io.new_input(entry.data_file.file_path).exists():
                return entry.data_file.file_path
    return ""


def latest(io: FileIO, identifier: str, candidates: list[Candidate]) -> FoundTable:
    """The table's highest-version metadata file that parses and whose current snapshot is
    whole; RecoveryError naming every file and its problem when there is none."""
    passed: list[Candidate] = []
    for candidate in candidates:
        try:
            metadata = _read(io, candidate.location)
        except RecoveryError as exc:
            passed.append(Candidate(candidate.location, candidate.version, str(exc)))
            continue
        missing = _missing_file(io, metadata)
        if missing:
            problem = f"its current snapshot needs {missing}, which is missing"
            passed.append(Candidate(candidate.location, candidate.version, problem))
            continue
        refs = metadata.refs
        return FoundTable(
            identifier=identifier,
            metadata_location=candidate.location,
            version=candidate.version,
            snapshots=len(metadata.snapshots),
            tags=tuple(sorted(n for n, r in refs.items() if r.snapshot_ref_type == "tag")),
            branches=tuple(sorted(n for n, r in refs.items() if r.snapshot_ref_type == "branch")),
            current_snapshot_id=metadata.current_snapshot_id,
            passed_over=tuple(passed),
        )
    reasons = "; ".join(f"{c.location}: {c.problem}" for c in passed)
    raise RecoveryError(f"{identifier}: no usable metadata file ({reasons})")


def _registered_location(catalog: Catalog, identifier: str) -> str | None:
    try:
        return catalog.load_table(identifier).metadata_location
    except NoSuchTableError:
        return None
    except Exception:  # a row that points to a missing or broken file: registered, unusable
        return "(unreadable)"


def register_tables(
    catalog: Catalog,
    warehouse: str,
    dry_run: bool = False,
    replace: bool = False,
    on_table: Callable[[Registration], None] | None = None,
) -> RecoveryReport:
    """Register every table found under `warehouse` in `catalog`.

    A table the catalog already knows at the same metadata file is left as it is; at another
    file it is refused unless `replace` (its catalog entry is then dropped, never its files,
    and registered at the file found). `dry_run` registers nothing and says what would be done.
    """
    io = load_file_io(catalog.properties, warehouse)
    report = RecoveryReport()
    for identifier, candidates in sorted(metadata_files(io, warehouse).items()):
        try:
            found = latest(io, identifier, candidates)
        except ViewMetadata:
            report.views.append(identifier)
            continue
        except RecoveryError as exc:
            report.problems.append(str(exc))
            continue
        registration = _register(catalog, found, dry_run, replace)
        report.registrations.append(registration)
        if on_table is not None:
            on_table(registration)
    return report


def _register(catalog: Catalog, found: FoundTable, dry_run: bool, replace: bool) -> Registration:
    existing = _registered_location(catalog, found.identifier)
    if existing == found.metadata_location:
        return Registration(found, "already registered")
    if existing is not None and not replace:
        detail = f"the catalog has it at {existing}; --replace registers the file found instead"
        return Registration(found, "refused", detail)
    if dry_run:
        detail = f"replacing {existing}" if existing else ""
        return Registration(found, "would register", detail)
    namespace = found.identifier.rsplit(".", 1)[0]
    catalog.create_namespace_if_not_exists(namespace)
    if existing is not None:
        catalog.drop_table(found.identifier)  # the catalog's entry only: no file is deleted
    catalog.register_table(found.identifier, found.metadata_location)
    if existing is not None:
        return Registration(found, "replaced", f"was {existing}")
    return Registration(found, "registered")
