"""Downloads of pinned artifacts from Maven Central, verified and cached once per machine.

The cache is `PELOTON_CACHE_DIR` when set, else `$XDG_CACHE_HOME/peloton`, else
`~/.cache/peloton`: it is shared by every PELOTON_HOME on the machine, so a second start (or a
second test session) downloads nothing. A file is written under a temporary name and renamed
only after its SHA-1 matches the one Maven Central publishes, so a killed download never leaves
a truncated artifact that looks complete.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lakehouse.errors import PelotonError

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
Progress = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None) while downloading."""


def cache_dir() -> Path:
    """The machine-wide download cache."""
    if explicit := os.environ.get("PELOTON_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peloton"


@dataclass(frozen=True)
class MavenArtifact:
    """One file of a Maven release, e.g. `org.gaul:s3proxy:4.1.0:jar-with-dependencies`."""

    group: str
    artifact: str
    version: str
    classifier: str | None = None
    extension: str = "jar"

    @property
    def file_name(self) -> str:
        suffix = f"-{self.classifier}" if self.classifier else ""
        return f"{self.artifact}-{self.version}{suffix}.{self.extension}"

    def url(self, repository: str = MAVEN_CENTRAL) -> str:
        group_path = self.group.replace(".", "/")
        return f"{repository}/{group_path}/{self.artifact}/{self.version}/{self.file_name}"


def _read_url(url: str, timeout: float = 60.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data: bytes = response.read()
        return data


def fetch(
    artifact: MavenArtifact,
    *,
    repository: str = MAVEN_CENTRAL,
    cache: Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """The artifact's path in the cache, downloading and verifying it first if absent."""
    target = (cache or cache_dir()) / "maven" / artifact.group / artifact.file_name
    if target.is_file():
        return target
    url = artifact.url(repository)
    try:
        expected = _read_url(url + ".sha1").decode().split()[0].strip().lower()
    except (urllib.error.URLError, OSError, IndexError) as exc:
        raise PelotonError(f"cannot fetch the checksum {url}.sha1: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest = hashlib.sha1()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if digest.hexdigest() != expected:
            raise PelotonError(
                f"checksum mismatch for {url}: expected SHA-1 {expected}, got {digest.hexdigest()}"
            )
        partial.replace(target)
    except (urllib.error.URLError, OSError) as exc:
        raise PelotonError(f"cannot download {url}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target
