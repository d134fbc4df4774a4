"""Maven downloads: verified against the published SHA-1, cached, never left half-written."""

import hashlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from lakehouse.artifacts import MavenArtifact, fetch
from lakehouse.errors import PelotonError

ARTIFACT = MavenArtifact("org.example", "thing", "1.0", classifier="all")


@pytest.fixture()
def repository(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain HTTP server over a folder laid out as a Maven repository."""
    root = tmp_path / "repo"
    folder = root / "org/example/thing/1.0"
    folder.mkdir(parents=True)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()


def test_download_is_verified_cached_and_reported(
    repository: tuple[str, Path], tmp_path: Path
) -> None:
    url, folder = repository
    payload = b"x" * 3_000_000
    (folder / "thing-1.0-all.jar").write_bytes(payload)
    (folder / "thing-1.0-all.jar.sha1").write_text(hashlib.sha1(payload).hexdigest() + "  x\n")
    seen: list[tuple[int, int | None]] = []
    path = fetch(
        ARTIFACT,
        repository=url,
        cache=tmp_path / "cache",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert path.read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload))
    (folder / "thing-1.0-all.jar").unlink()  # a second fetch is served by the cache
    assert fetch(ARTIFACT, repository=url, cache=tmp_path / "cache") == path


def test_checksum_mismatch_fails_and_leaves_nothing(
    repository: tuple[str, Path], tmp_path: Path
) -> None:
    url, folder = repository
    (folder / "thing-1.0-all.jar").write_bytes(b"tampered")
    (folder / "thing-1.0-all.jar.sha1").write_text("0" * 40)
    with pytest.raises(PelotonError, match=r"checksum mismatch for http://.*thing-1\.0-all\.jar"):
        fetch(ARTIFACT, repository=url, cache=tmp_path / "cache")
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


def test_missing_artifact_names_the_url(repository: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = repository
    with pytest.raises(PelotonError, match=r"cannot fetch the checksum http://.*\.jar\.sha1"):
        fetch(ARTIFACT, repository=url, cache=tmp_path / "cache")
