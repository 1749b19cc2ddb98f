"""``navigator ask``: run the whole dialogue on one message, as a channel would."""
from __future__ import annotations

from datetime import UTC, datetime

import click

from .state import number_key


@click.command()
@click.argument("text")
@click.option("--channel", type=click.Choice(["sms"]), default="sms", show_default=True,
              help="Which channel renders the reply.")
@click.option("--from", "sender", default="cli", show_default=True,
              help="Who is writing; the same value continues the same conversation.")
@click.option("--state", "state_db", type=click.Path(dir_okay=False), default=None,
              help="Conversation-state database (default: the app's, in the instance folder).")
def ask(text: str, channel: str, sender: str, state_db: str | None) -> None:
    """Send TEXT to navigator and print its reply and the SMS segment count.

    Example: navigator ask "I need food in Milton" --from +19055550123
    """
    from .app import create_app
    from .channels.sms import answer, dialogue_for

    app = create_app({"NAVIGATOR_STATE_DB": state_db} if state_db else None)
    key = number_key(app.config["NAVIGATOR_SECRET_KEY"], sender)
    # Errors surface here, unlike on the webhook, so one command reproduces a bug.
    reply = answer(dialogue_for(app), key, text, datetime.now(UTC))
    if not reply.body:
        click.echo("(no reply: this number has opted out; send START to opt back in)")
        return
    click.echo(reply.body)
    click.echo(f"-- {channel}: {reply.segments} segment(s), {len(reply.body)} characters")
