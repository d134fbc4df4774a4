"""The `peloton` Typer application that every command module registers on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import typer

if TYPE_CHECKING:
    from socketserver import BaseServer

    from rich.console import Console
    from rich.table import Table

PLAIN_HELP = None
"""Help in plain text: Typer's rich help loads most of rich (a tenth of a second) per command."""

app = typer.Typer(
    rich_markup_mode=PLAIN_HELP,
    name="peloton",
    help="Peloton: a batch lakehouse for professional cycling race data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"peloton {version('peloton')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    pass


def sub_app(help: str, no_args_is_help: bool = True) -> typer.Typer:
    """A group of commands (`peloton trino ...`), with plain help like the app's."""
    return typer.Typer(help=help, no_args_is_help=no_args_is_help, rich_markup_mode=PLAIN_HELP)


class _LazyConsole:
    """A rich Console made on first use: rich.console alone takes 70 ms to import, which the
    quick commands (help, status, sql) that print plain text do not pay."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


# no `:name:` codes: their table is 20 ms to import
console = cast("Console", _LazyConsole(emoji=False))
err_console = cast("Console", _LazyConsole(stderr=True, soft_wrap=True, emoji=False))


def real_console(lazy: Console) -> Console:
    """The Console itself, for what takes one as an argument (a progress bar)."""
    return lazy.get() if isinstance(lazy, _LazyConsole) else lazy


def print_pairs(pairs: Sequence[tuple[str, str]]) -> None:
    """`name  value` lines, names aligned: plain text, no rich to import."""
    width = max((len(name) for name, _ in pairs), default=0)
    for name, value in pairs:
        typer.echo(f"{name:<{width}}  {value}")


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A result as aligned plain-text columns with a header rule, then the row count."""
    widths = [len(c) for c in columns]
    for row in rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    typer.echo("  ".join("-" * w for w in widths))
    for row in rows:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")


def new_table(*headers: str, **options: Any) -> Table:
    """A rich table, its module imported only by the commands that print one."""
    from rich.table import Table

    return Table(*headers, **options)


def serve_until_interrupted(server: BaseServer, banner: str) -> None:
    """Print `banner`, then serve until Ctrl-C; the socket is closed either way."""
    console.print(f"{banner} (Ctrl-C stops it)", highlight=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
