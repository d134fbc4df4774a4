"""A pinned Trino server and CLI, fetched once from Maven Central and unpacked in the cache.

Maven Central publishes `trino-server` (every plugin) and `trino-server-core` (the engine
with a few plugins); the plugin archives are not all published for every version, so the full
server archive is fetched (SHA-1 verified by lakehouse.artifacts) and only the engine and the
plugins Peloton uses are unpacked: Iceberg (the lakehouse), PostgreSQL (the race database)
and geospatial (ST_* and Bing tile functions). The archive is removed once unpacked; the
unpacked server is shared by every PELOTON_HOME on the machine, like every cached download.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

from lakehouse.artifacts import MavenArtifact, Progress, cache_dir, fetch
from lakehouse.errors import PelotonError

TRINO_VERSION = "476"
SERVER = MavenArtifact("io.trino", "trino-server", TRINO_VERSION, extension="tar.gz")
CLI = MavenArtifact("io.trino", "trino-cli", TRINO_VERSION, classifier="executable")
PLUGINS = ("iceberg", "postgresql", "geospatial")


def _wanted(name: str) -> bool:
    """Whether an archive member (path without the top folder) belongs to the install."""
    parts = name.split("/")
    if parts[0] == "plugin":
        return len(parts) == 1 or parts[1] in PLUGINS
    return parts[0] in ("lib", "bin") or name in ("NOTICE", "README.txt")


def server_home(cache: Path | None = None) -> Path:
    """Where the unpacked server lives (it may not be there yet)."""
    return (cache or cache_dir()) / "trino" / f"trino-server-{TRINO_VERSION}"


def install_server(
    cache: Path | None = None,
    progress: Progress | None = None,
    on_unpack: Callable[[], None] | None = None,
) -> Path:
    """The unpacked server's folder, fetching and unpacking it the first time."""
    home = server_home(cache)
    if (home / "lib").is_dir() and (home / "plugin" / "iceberg").is_dir():
        return home
    archive = fetch(SERVER, cache=cache, progress=progress)
    if on_unpack:
        on_unpack()
    staging = home.with_name(f".{home.name}.{os.getpid()}.part")
    shutil.rmtree(staging, ignore_errors=True)
    top = f"trino-server-{TRINO_VERSION}"
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
        wanted = {m.name for m in members if _wanted(m.name.partition("/")[2])}
        # jars shared between plugins are stored once and hard-linked from the other plugins:
        # a wanted link's target must be unpacked too, even in a plugin that is then removed
        targets = {m.linkname for m in members if m.name in wanted and m.islnk()}
        chosen = [m for m in members if m.name in wanted or m.name in targets]
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, members=chosen, filter="data")
        unpacked = staging / top
        for plugin in (unpacked / "plugin").iterdir():
            if plugin.name not in PLUGINS:
                shutil.rmtree(plugin)
        missing = [p for p in PLUGINS if not (unpacked / "plugin" / p).is_dir()]
        if missing:
            raise PelotonError(f"{archive}: no plugin folder for {', '.join(missing)}")
        if home.exists():
            shutil.rmtree(home)
        unpacked.rename(home)
    except (OSError, tarfile.TarError) as exc:
        raise PelotonError(f"cannot unpack {archive}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    archive.unlink(missing_ok=True)
    return home


def install_cli(cache: Path | None = None, progress: Progress | None = None) -> Path:
    """Trino's own command-line client (an executable jar), fetched once."""
    return fetch(CLI, cache=cache, progress=progress)
