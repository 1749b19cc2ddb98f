"""The ``navigator`` command: the second front door to everything the app does."""
from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Halton community-services navigator.

    Example: navigator serve --port 5000
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Start the web app (SMS webhook, web chat, operator console, HSDS API).

    Example: navigator serve --port 8080
    """
    from .app import create_app
    from .channels.sms import dialogue_for

    app = create_app()
    # Compile the intents and load the directory now, not on the first resident's message.
    dialogue_for(app)
    app.run(host=host, port=port)


def _register() -> None:
    """Attach the command groups each part of navigator defines."""
    import importlib

    for module, name in (
        ("navigator.directory.cli", "directory"),
        ("navigator.match_cli", "match"),
        ("navigator.match_cli", "eval"),
        ("navigator.dialogue_cli", "ask"),
        ("navigator.users_cli", "users"),
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        main.add_command(getattr(mod, name))


_register()
