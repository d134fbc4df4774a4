"""`peloton bot serve`: the race bot's HTTP API and chat page."""

from __future__ import annotations

import typer

from lakehouse.cli.app import app, err_console, serve_until_interrupted, sub_app

bot_app = sub_app("The race bot as a service.")
app.add_typer(bot_app, name="bot")


@bot_app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8765, help="TCP port."),
) -> None:
    """Serve the bot's HTTP API (POST /api/ask) and its chat page until interrupted."""
    from lakehouse.bot.context import open_context
    from lakehouse.bot.server import make_server
    from lakehouse.settings import get_settings

    with err_console.status("opening the bot's index and the race's names"):
        ctx = open_context(get_settings())
    server = make_server(ctx, host, port)
    serve_until_interrupted(server, f"The race bot answers at http://{host}:{port}/")
