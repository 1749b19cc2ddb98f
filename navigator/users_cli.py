"""``navigator users``: operator-console accounts from the command line."""
from __future__ import annotations

import click

from .users import ROLES, UserError, Users


def _users(state_db: str | None) -> Users:
    if state_db:
        return Users(state_db)
    from .app import create_app

    # The app decides where its state database lives (setting or instance folder).
    return Users(create_app().config["NAVIGATOR_STATE_DB"])


@click.group()
def users() -> None:
    """Manage who can log in to the operator console.

    Example: navigator users add alice --role editor
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="operator, editor (edits records) or admin.")
@click.option("--state-db", default=None, help="State database to use instead of the app's.")
@click.password_option(help="Password (asked for when not given; never echoed).")
def add(name: str, role: str, state_db: str | None, password: str) -> None:
    """Create an account; the password is asked for twice and stored only as a hash.

    Example: navigator users add alice --role operator
    """
    try:
        user = _users(state_db).add(name, role, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Added {user.name} ({user.role}).")


@users.command("list")
@click.option("--state-db", default=None, help="State database to use instead of the app's.")
def list_users(state_db: str | None) -> None:
    """List accounts and their roles.

    Example: navigator users list
    """
    for user in _users(state_db).all():
        click.echo(f"{user.name}\t{user.role}")
