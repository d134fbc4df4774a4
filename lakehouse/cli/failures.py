"""What the command line prints when a command fails: one line with the fix, no traceback.

Errors of Peloton's own (`PelotonError`) already say what failed and what to do. Others come
from the libraries underneath: the common ones (a server that does not answer, a permission,
a missing file) are explained here; any other is printed as its type and first line, and
`PELOTON_DEBUG=1` shows the whole traceback. Secrets are masked in every case.
"""

from __future__ import annotations

from lakehouse.errors import PelotonError
from lakehouse.redact import mask_secrets

DEBUG_VARIABLE = "PELOTON_DEBUG"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is(exc: BaseException, module: str, *names: str) -> bool:
    """Whether `exc` is one of a library's errors, told without importing the library."""
    return any(
        cls.__module__.split(".")[0] == module and cls.__name__ in names
        for cls in type(exc).__mro__
    )


def explain(exc: BaseException) -> str:
    """One line saying what failed and what to do."""
    if isinstance(exc, PelotonError):
        return mask_secrets(str(exc))
    if _is(exc, "sqlalchemy", "DBAPIError") and isinstance(getattr(exc, "orig", None), Exception):
        exc = exc.orig  # type: ignore[attr-defined]  # the driver's own error, wrapped
    if _is(exc, "psycopg", "OperationalError"):
        message = (
            f"cannot reach PostgreSQL: {_first_line(exc)}; start the embedded server with "
            "`peloton postgres start`, or check PELOTON_SOURCE__URL"
        )
    elif isinstance(exc, PermissionError):
        where = exc.filename or _first_line(exc)
        message = (
            f"permission denied: {where}; give this user write access there, or point "
            "PELOTON_HOME (or PELOTON_STORAGE__WAREHOUSE) at a folder it can write"
        )
    elif isinstance(exc, FileNotFoundError):
        message = f"no such file or folder: {exc.filename or _first_line(exc)}"
    elif isinstance(exc, ConnectionError | TimeoutError):
        message = f"a server did not answer: {_first_line(exc)}"
    else:
        message = (
            f"{type(exc).__name__}: {_first_line(exc)} (run again with {DEBUG_VARIABLE}=1 "
            "for the traceback)"
        )
    return mask_secrets(message)
