"""Running the embedded server as an unprivileged user when Peloton runs as root.

PostgreSQL refuses to run as root. Peloton then runs it as an existing unprivileged user
(`PELOTON_SOURCE__RUN_AS`, default `nobody`); it creates no user and changes no permission
outside PELOTON_HOME, so it checks beforehand that this user can reach what it needs.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.errors import ConfigurationError


@dataclass(frozen=True)
class RunAs:
    """The system user the server processes run as (None: the current user)."""

    name: str | None
    uid: int
    gid: int

    def subprocess_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for subprocess.run/Popen that switch to this user."""
        if self.name is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def can(self, path: Path, mode: int) -> bool:
        """Whether this user has `mode` (a combination of R, W, X bits: 4, 2, 1) on `path`."""
        info = path.stat()
        if self.uid == 0:
            return True
        if info.st_uid == self.uid:
            bits = (info.st_mode & stat.S_IRWXU) >> 6
        elif info.st_gid == self.gid or _in_group(self.name, info.st_gid):
            bits = (info.st_mode & stat.S_IRWXG) >> 3
        else:
            bits = info.st_mode & stat.S_IRWXO
        return bits & mode == mode

    def first_blocked_parent(self, path: Path) -> Path | None:
        """The first folder on the way to `path` that this user cannot enter, if any."""
        for parent in reversed(path.resolve().parents):
            if not self.can(parent, 1):
                return parent
        return None


def _in_group(user: str | None, gid: int) -> bool:
    if user is None:
        return False
    try:
        return user in grp.getgrgid(gid).gr_mem
    except KeyError:
        return False


def server_user(run_as: str) -> RunAs:
    """Who runs the server: the current user, or `run_as` when the current user is root."""
    if os.geteuid() != 0:
        return RunAs(None, os.geteuid(), os.getegid())
    try:
        entry = pwd.getpwnam(run_as)
    except KeyError:
        raise ConfigurationError(
            f"PELOTON_SOURCE__RUN_AS={run_as}: no such system user. Running as root, Peloton "
            "runs PostgreSQL as an existing unprivileged user and creates none; name one that "
            "exists (e.g. nobody), or run Peloton as a non-root user."
        ) from None
    if entry.pw_uid == 0:
        raise ConfigurationError(
            f"PELOTON_SOURCE__RUN_AS={run_as} is root; PostgreSQL refuses to run as root."
        )
    return RunAs(run_as, entry.pw_uid, entry.pw_gid)
