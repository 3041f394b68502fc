"""Command-line administration: ``flask --app app users|tokens|gc ...``."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from repository import AlreadyExists, NotFound

from . import get_accounts, get_repository

users = AppGroup("users", help="Manage users.")
tokens = AppGroup("tokens", help="Manage API tokens (Bearer tokens and X-API-KEY keys).")


@users.command("create")
@click.argument("name")
@click.option("--email", default=None, help="The user's e-mail (shown as owner by some APIs).")
def create_user(name: str, email: str | None) -> None:
    """Create a user; the password is read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("the password read from standard input is empty")
    try:
        get_accounts().create_user(name, password, email=email)
    except (AlreadyExists, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created user {name}")


@tokens.command("create")
@click.option("--user", "user_name", required=True, help="The user the token acts as.")
@click.option("--scope", "scopes", multiple=True, help="A scope to grant; repeat for more.")
@click.option("--tenant", default=None, help="Bind the token to one tenant.")
def create_token(user_name: str, scopes: tuple[str, ...], tenant: str | None) -> None:
    """Mint a token; it is printed once, as the last line, and never stored in clear."""
    try:
        token = get_accounts().create_token(user_name, scopes=scopes, tenant=tenant)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    click.echo("Keep this token secret; it cannot be shown again:", err=True)
    click.echo(token)


@click.command("gc")
@with_appcontext
@click.option("--grace", type=float, default=None,
              help="Keep blobs younger than this many seconds (default: GC_GRACE_SECONDS).")
def collect_garbage(grace: float | None) -> None:
    """Remove stored blobs that no node references."""
    seconds = grace if grace is not None else current_app.config["GC_GRACE_SECONDS"]
    removed, stale = get_repository().collect_garbage(grace_seconds=seconds)
    click.echo(f"removed {removed} unreferenced blobs and {stale} interrupted uploads")


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(collect_garbage)
