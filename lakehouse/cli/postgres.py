"""`peloton postgres start|stop|status`: the embedded source database."""

from __future__ import annotations

import typer

from lakehouse.cli.app import app, console, print_pairs, sub_app
from lakehouse.redact import mask_url

postgres_app = sub_app(
    "The source PostgreSQL (embedded unless PELOTON_SOURCE__URL).", no_args_is_help=False
)
app.add_typer(postgres_app, name="postgres")


@postgres_app.command()
def start() -> None:
    """Start the embedded PostgreSQL under PELOTON_HOME (or check the configured one)."""
    from lakehouse.postgres.connect import server_version
    from lakehouse.postgres.embedded import EmbeddedPostgres
    from lakehouse.settings import get_settings

    settings = get_settings()
    if settings.source.url is not None:
        url = settings.source.url.get_secret_value()
        console.print(
            f"PELOTON_SOURCE__URL is set: using {mask_url(url)} ({server_version(url)}); "
            "nothing to start.",
            highlight=False,
        )
        return
    server = EmbeddedPostgres(settings)
    url = server.start()
    console.print(f"PostgreSQL running: {mask_url(url)}", highlight=False)
    console.print(
        f"data in {server.data_dir}; log {server.log_file}. Peloton's commands find this "
        "server on their own; the password is in "
        f"{server.password_file}.",
        highlight=False,
    )


@postgres_app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL."""
    from lakehouse.postgres.embedded import EmbeddedPostgres
    from lakehouse.settings import get_settings

    server = EmbeddedPostgres(get_settings())
    if server.stop():
        console.print("PostgreSQL stopped.")
    else:
        console.print("PostgreSQL was not running.")


@postgres_app.command()
def status() -> None:
    """Show whether the embedded PostgreSQL runs, where, and its URL (password masked)."""
    from lakehouse.postgres.connect import server_version
    from lakehouse.postgres.embedded import EmbeddedPostgres
    from lakehouse.settings import get_settings

    settings = get_settings()
    if settings.source.url is not None:
        url = settings.source.url.get_secret_value()
        print_pairs([("configured", mask_url(url)), ("version", server_version(url))])
        return
    info = EmbeddedPostgres(settings).status()
    print_pairs(
        [
            ("running", "yes" if info.running else "no"),
            ("pid", str(info.pid or "-")),
            ("url", info.url or "-"),
            ("version", info.version or "-"),
            ("data", str(info.data_dir)),
            ("binaries", str(info.bin_dir)),
        ]
    )
    if not info.running:
        raise typer.Exit(code=1)
