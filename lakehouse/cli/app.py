"""The `peloton` Typer application that every command module registers on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
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


console = Console(emoji=False)  # no `:name:` codes: their table is 20 ms to import
err_console = Console(stderr=True, soft_wrap=True, emoji=False)


def new_table(*headers: str, **options: Any) -> Table:
    """A rich table, its module imported only by the commands that print one."""
    from rich.table import Table

    return Table(*headers, **options)
