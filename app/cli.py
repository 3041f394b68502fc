"""Command-line administration: ``flask --app app users|groups|acl|tokens|gc ...``.

Commands act as the server itself (every check passes): whoever can run them can read the
instance folder anyway.
"""
from __future__ import annotations

import re
import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from repository import RepositoryError, paths
from repository.access import privilege_bits, privilege_names

from . import system_accounts, system_repository
from .auth import SCOPES
from .emporix.documents import TENANT
from .emporix.views import ensure_tenant_folder
from .errors import ApiError

users = AppGroup("users", help="Manage users.")
groups = AppGroup("groups", help="Manage groups of users (and of groups).")
acl = AppGroup("acl", help="Show and change who may do what on the tree.")
tokens = AppGroup("tokens", help="Manage API tokens (Bearer tokens and X-API-KEY keys).")


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


def _read_password() -> str:
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("the password read from standard input is empty")
    return password


# -- users -----------------------------------------------------------------------------------

@users.command("create")
@click.argument("name")
@click.option("--email", default=None, help="The user's e-mail (shown as owner by some APIs).")
@click.option("--group", "group_names", multiple=True,
              help="A group to add the user to; repeat for more.")
def create_user(name: str, email: str | None, group_names: tuple[str, ...]) -> None:
    """Create a user; the password is read from standard input. A new user has no rights
    until an entry grants some (see `acl grant`)."""
    password = _read_password()
    try:
        system_accounts().create_user(name, password, email=email, groups=group_names)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"created user {name}")


@users.command("list")
def list_users() -> None:
    """List users, with their e-mail and groups."""
    accounts, principals = system_accounts(), system_repository().principals
    for user in accounts.list_users():
        member_of = ", ".join(sorted(principals.groups_of(user.name))) or "-"
        click.echo(f"{user.name}\t{user.email or '-'}\t{member_of}")


@users.command("delete")
@click.argument("name")
def delete_user(name: str) -> None:
    """Delete a user, its tokens, its group memberships and its access control entries."""
    try:
        system_accounts().delete_user(name)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"deleted user {name}")


@users.command("passwd")
@click.argument("name")
def set_password(name: str) -> None:
    """Set a user's password, read from standard input."""
    password = _read_password()
    try:
        system_accounts().set_password(name, password)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"changed the password of {name}")


# -- groups ----------------------------------------------------------------------------------

@groups.command("create")
@click.argument("name")
def create_group(name: str) -> None:
    """Create a group."""
    try:
        system_repository().principals.create_group(name)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"created group {name}")


@groups.command("add")
@click.argument("group")
@click.argument("member")
def add_member(group: str, member: str) -> None:
    """Make MEMBER (a user or a group) a member of GROUP."""
    try:
        system_repository().principals.add_member(group, member)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"{member} is a member of {group}")


@groups.command("remove")
@click.argument("group")
@click.argument("member")
def remove_member(group: str, member: str) -> None:
    """Take MEMBER out of GROUP."""
    try:
        system_repository().principals.remove_member(group, member)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"{member} is no longer a member of {group}")


@groups.command("list")
def list_groups() -> None:
    """List groups and their direct members."""
    for group in system_repository().principals.list_groups():
        click.echo(f"{group.name}\t{', '.join(group.members) or '-'}")


@groups.command("delete")
@click.argument("name")
def delete_group(name: str) -> None:
    """Delete a group (its members stay) and its access control entries."""
    try:
        system_repository().principals.delete_group(name)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"deleted group {name}")


# -- access control --------------------------------------------------------------------------

def _path(text: str) -> paths.RepoPath:
    try:
        return paths.parse(text)
    except RepositoryError as error:
        raise click.BadParameter(str(error)) from None


def _privileges(names: tuple[str, ...]) -> int:
    try:
        return privilege_bits(names)
    except RepositoryError as error:
        raise click.BadParameter(str(error)) from None


@acl.command("show")
@click.argument("path")
def show_acl(path: str) -> None:
    """Show the entries set on PATH, and those in effect there (set on it or above)."""
    access = system_repository().access
    where = _path(path)
    try:
        own = access.entries(where)
        in_effect = access.effective(where)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"entries on {paths.to_text(where)}:")
    for entry in own:
        click.echo(f"  {entry.principal}\tallow: {' '.join(privilege_names(entry.allow)) or '-'}"
                   f"\tdeny: {' '.join(privilege_names(entry.deny)) or '-'}"
                   + ("\t(this node only)" if entry.node_only else ""))
    if not own:
        click.echo("  (none)")
    click.echo("in effect:")
    for entry in in_effect:
        declared = ", ".join(paths.to_text(p) for p in entry.declared_at)
        click.echo(f"  {entry.principal}\tallow: {' '.join(privilege_names(entry.granted)) or '-'}"
                   f"\tdeny: {' '.join(privilege_names(entry.denied)) or '-'}\t(from {declared})")
    if not in_effect:
        click.echo("  (none: only administrators may do anything here)")


def _change(path: str, principal: str, node_only: bool, **change: int) -> None:
    try:
        entry = system_repository().access.modify(_path(path), principal, node_only=node_only,
                                                  **change)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"{principal} on {path}{' (this node only)' if node_only else ''}: "
               f"allow {' '.join(privilege_names(entry.allow)) or '-'}; "
               f"deny {' '.join(privilege_names(entry.deny)) or '-'}")


NODE_ONLY = click.option(
    "--node-only", is_flag=True,
    help="The entry applies to PATH itself, not to what is below it (JCR's rep:glob \"\").")


@acl.command("grant")
@NODE_ONLY
@click.argument("path")
@click.argument("principal")
@click.argument("privilege", nargs=-1, required=True)
def grant(path: str, principal: str, privilege: tuple[str, ...], node_only: bool) -> None:
    """Allow PRINCIPAL the PRIVILEGEs (jcr:read, jcr:write, jcr:all, ...) on PATH and below."""
    _change(path, principal, node_only, granted=_privileges(privilege))


@acl.command("deny")
@NODE_ONLY
@click.argument("path")
@click.argument("principal")
@click.argument("privilege", nargs=-1, required=True)
def deny(path: str, principal: str, privilege: tuple[str, ...], node_only: bool) -> None:
    """Deny PRINCIPAL the PRIVILEGEs on PATH and below."""
    _change(path, principal, node_only, denied=_privileges(privilege))


@acl.command("revoke")
@click.argument("path")
@click.argument("principal")
def revoke(path: str, principal: str) -> None:
    """Remove PRINCIPAL's entries on PATH."""
    try:
        had = system_repository().access.remove(_path(path), principal)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"removed {principal}'s entry on {path}" if had
               else f"{principal} had no entry on {path}")


# -- tokens ----------------------------------------------------------------------------------

DURATION = re.compile(r"(\d+)([smhdw])")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``1w2d``... as a timedelta."""
    parts = DURATION.findall(text or "")
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise click.BadParameter(f"{text!r} is not a duration such as 30m, 12h, 90d or 1w")
    return sum((timedelta(**{UNITS[unit]: int(number)}) for number, unit in parts), timedelta())


@tokens.command("create")
@click.option("--user", "user_name", required=True, help="The user the token acts as.")
@click.option("--scope", "scopes", multiple=True,
              help="A scope to narrow the token to; repeat for more (README: scopes).")
@click.option("--tenant", default=None,
              help="Bind the token to one Emporix tenant (its folder /emporix/TENANT is made "
                   "if missing).")
@click.option("--expires", default=None, metavar="DURATION",
              help="Expire after DURATION (30m, 12h, 90d, 1w); default: never.")
def create_token(user_name: str, scopes: tuple[str, ...], tenant: str | None,
                 expires: str | None) -> None:
    """Mint a token; it is printed once, as the last line, and never stored in clear."""
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise click.BadParameter(f"unknown scope {unknown[0]!r}; use one of "
                                 f"{', '.join(SCOPES)}", param_hint="--scope")
    lifetime = parse_duration(expires) if expires is not None else None
    if tenant is not None and not TENANT.fullmatch(tenant):
        raise click.BadParameter(f"{tenant!r} is no Emporix tenant: it must match "
                                 "^[a-z][a-z0-9]+$ (3 to 16 characters)", param_hint="--tenant")
    try:
        token = system_accounts().create_token(user_name, scopes=scopes, tenant=tenant,
                                               expires_in=lifetime)
        if tenant is not None:  # so that rights in the tenant's folder can be granted now
            ensure_tenant_folder(tenant)
    except (RepositoryError, ApiError) as error:
        raise _fail(error) from None
    click.echo("Keep this token secret; it cannot be shown again:", err=True)
    click.echo(token)


@tokens.command("list")
@click.option("--user", "user_name", default=None, help="Only this user's tokens.")
def list_tokens(user_name: str | None) -> None:
    """List tokens: id, user, scopes, tenant, created, expires (never the secrets)."""
    for token in system_accounts().list_tokens(user_name):
        click.echo("\t".join([
            token.id, token.user, ",".join(token.scopes) or "-", token.tenant or "-",
            token.created.isoformat(timespec="seconds"),
            token.expires.isoformat(timespec="seconds") if token.expires else "never",
        ]))


@tokens.command("revoke")
@click.argument("token_id")
def revoke_token(token_id: str) -> None:
    """Revoke a token by its id (the part before the dot): it stops working at once."""
    try:
        system_accounts().revoke_token(token_id)
    except RepositoryError as error:
        raise _fail(error) from None
    click.echo(f"revoked token {token_id}")


@click.command("gc")
@with_appcontext
@click.option("--grace", type=float, default=None,
              help="Keep blobs younger than this many seconds (default: GC_GRACE_SECONDS).")
def collect_garbage(grace: float | None) -> None:
    """Remove stored blobs that no node references."""
    seconds = grace if grace is not None else current_app.config["GC_GRACE_SECONDS"]
    removed, stale = system_repository().collect_garbage(grace_seconds=seconds)
    click.echo(f"removed {removed} unreferenced blobs and {stale} interrupted uploads")


def register(app: Flask) -> None:
    for group in (users, groups, acl, tokens, collect_garbage):
        app.cli.add_command(group)
