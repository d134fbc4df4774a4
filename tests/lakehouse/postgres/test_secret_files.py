"""Secret files of the embedded server are never readable by others, not even for a moment."""

import os
import stat
from pathlib import Path

from lakehouse.postgres.embedded import write_private


def test_a_new_secret_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    old = os.umask(0)
    try:
        write_private(path, "s3cret")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == "s3cret"


def test_an_existing_readable_file_is_narrowed_before_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("old and longer", encoding="utf-8")
    path.chmod(0o644)
    write_private(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == "new"
