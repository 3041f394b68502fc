"""Granite's users and groups, as AEM's tools (aem-cmd, curl scripts) call them. For
administrators only (the repository refuses anyone else: 403).

- ``POST /libs/granite/security/post/authorizables`` (also ``.html``, ``.json``):
  ``createUser`` with ``authorizableId``, ``rep:password`` and profile properties
  (``profile/email``, ``profile/givenName``...), or ``createGroup`` with ``authorizableId``.
  201 with Sling's POST response, whose ``Path`` is the new authorizable's path
  (:mod:`.authorizables` says where that is). A taken name is a 409.
- ``GET /home.json``, ``/home/users.2.json``, ``/home/groups.2.json``,
  ``/home/users/a/alice.1.json``...: the tree of authorizables, as Sling renders nodes in
  JSON (``.N.`` levels of children, ``.infinity.``, ``.tidy.`` indented).
- ``POST <authorizable path>.rw.html`` (or ``.rw.json``): on a group ``addMembers`` and
  ``removeMembers`` (users or groups, repeated for several); on a user profile properties
  and ``rep:password``. ``deleteAuthorizable`` (also sent to the bare authorizable path)
  deletes the user or group.

Profile properties follow Sling's POST conventions: ``profile/age=29`` with
``profile/age@TypeHint=Long`` stores a number (``String``, ``Long``, ``Double``,
``Decimal``, ``Boolean``, and their ``[]`` lists); several values make a list; an empty
value or ``profile/age@Delete`` removes it. Groups have no profile here.
``intermediatePath`` is accepted and ignored: the path follows from the name. Parameters
starting with ``:`` and ``_charset_`` steer the request; any other unknown parameter is a
400 that names it, never silently dropped.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, request

from repository.accounts import Accounts
from repository.errors import AlreadyExists, NotFound

from .. import get_accounts, get_repository
from .authorizables import GROUPS, USERS, Node, find, home_path, home_tree
from .slingpost import HTML, JSON, PostResponse
from .toolbox import Address, SlingError, bp, split_address

AUTHORIZABLES = "/libs/granite/security/post/authorizables"
EXISTS_CLASS = "org.apache.jackrabbit.api.security.user.AuthorizableExistsException"
VALUE_FORMAT_CLASS = "javax.jcr.ValueFormatException"
TYPE_HINTS = {"string": str, "long": int, "double": float, "decimal": float, "boolean": bool}


def _steering(key: str) -> bool:
    return key.startswith(":") or key == "_charset_"


# -- profile properties ------------------------------------------------------------------------

def _typed(key: str, raw: str, hint: type) -> Any:
    if hint is bool:
        return raw.strip().lower() == "true"
    if hint is str:
        return raw
    try:
        value = hint(raw.strip())
    except ValueError:
        raise SlingError(400, f"{key}: {raw!r} is not a {hint.__name__} value",
                         VALUE_FORMAT_CLASS) from None
    if isinstance(value, float) and value != value:
        raise SlingError(400, f"{key}: NaN cannot be stored", VALUE_FORMAT_CLASS)
    return value


def profile_changes(form) -> dict[str, Any]:
    """The profile properties a form sets (``None``: remove), as Sling's POST reads them."""
    changes: dict[str, Any] = {}
    for key in form:
        if not key.startswith("profile/"):
            continue
        name, _, suffix = key[len("profile/"):].partition("@")
        if suffix == "TypeHint":
            if f"profile/{name}" not in form:
                raise SlingError(400, f"{key} names no property: send profile/{name} too")
            continue
        if suffix == "Delete":
            changes[name] = None
            continue
        if suffix:
            raise SlingError(400, f"{key}: the @{suffix} suffix is not supported here "
                                  "(@TypeHint and @Delete are)")
        values = form.getlist(key)
        hint_text = form.get(f"{key}@TypeHint", "String").strip()
        as_list = hint_text.endswith("[]") or len(values) > 1
        hint = TYPE_HINTS.get(hint_text.removesuffix("[]").lower())
        if hint is None:
            raise SlingError(400, f"{key}@TypeHint={hint_text!r}: use one of String, Long, "
                                  "Double, Decimal, Boolean (with [] for a list)")
        if as_list:
            changes[name] = [_typed(key, value, hint) for value in values if value != ""]
        elif values[0] == "":
            changes[name] = None  # Sling removes a property posted empty
        else:
            changes[name] = _typed(key, values[0], hint)
    return changes


def _respond(response: PostResponse) -> Response:
    return response.send(JSON if request.path.endswith(".json") else HTML)


# -- creating ------------------------------------------------------------------------------

@bp.route(AUTHORIZABLES, methods=["POST"])
@bp.route(AUTHORIZABLES + ".<any(html, json):extension>", methods=["POST"])
def create_authorizable(extension: str | None = None) -> Response:
    form = request.values
    as_user, as_group = "createUser" in form, "createGroup" in form
    if as_user == as_group:
        raise SlingError(400, "send createUser (a user) or createGroup (a group), one of them")
    name = form.get("authorizableId", "")
    if not name:
        raise SlingError(400, "authorizableId is missing: the new user's or group's name")
    g.sling_path = home_path(name, group=as_group)
    allowed = {"createUser", "createGroup", "authorizableId", "intermediatePath"}
    allowed |= {"rep:password"} if as_user else set()
    unknown = [key for key in form if key not in allowed and not _steering(key)
               and not (as_user and key.startswith("profile/"))]
    if unknown:
        raise SlingError(400, f"{unknown[0]} is not taken when creating a "
                              f"{'user' if as_user else 'group'}")
    try:
        if as_user:
            password = form.get("rep:password", "")
            if not password:
                raise SlingError(400, "rep:password is missing: a new user needs a password")
            get_accounts().create_user(name, password, profile=profile_changes(form))
        else:
            get_repository().principals.create_group(name)
    except AlreadyExists as error:
        raise SlingError(409, str(error), EXISTS_CLASS) from None
    return _respond(PostResponse(g.sling_path, 201, "Created", created=True))


# -- the /home tree ------------------------------------------------------------------------------

def _tree() -> Node:
    return home_tree(get_accounts().list_users(), get_repository().principals.list_groups())


@bp.route("/home", defaults={"rest": ""}, methods=["GET", "POST"])
@bp.route("/home<anypath:rest>", methods=["GET", "POST"])
def home(rest: str) -> Response:
    tree = _tree()  # administrators only: the repository refuses anyone else
    address = split_address(rest, lambda path: find(tree, path) is not None,
                            lambda a: a.selectors in ((), ("rw",)) and a.extension in ("html", "json"))
    g.sling_path = "/home" + "".join("/" + name for name in address.path)
    node = find(tree, address.path)
    if node is None:
        raise SlingError(404, f"no user, group or folder at {g.sling_path}")
    if request.method == "POST":
        return change_authorizable(node, address)
    return _render(node, address)


def _render(node: Node, address: Address) -> Response:
    if address.extension != "json":
        raise SlingError(404, f"{g.sling_path}{address.suffix}: ask for .json (.1.json, "
                              ".2.json, .infinity.json...)")
    depth, tidy = 0, False
    for selector in address.selectors:
        if selector == "tidy":
            tidy = True
        elif selector == "infinity":
            depth = -1
        elif selector.isdigit() and selector.isascii():
            depth = int(selector)
        else:
            raise SlingError(400, f"selector {selector!r}: use a depth (0, 1, 2..., infinity) "
                                  "or tidy")
    body = json.dumps(node.render(depth), ensure_ascii=False, indent=2 if tidy else None)
    return current_app.response_class(body, mimetype=JSON)


# -- changing an authorizable -------------------------------------------------------------------

def change_authorizable(node: Node, address: Address) -> Response:
    if node.authorizable is None:
        raise SlingError(400, f"{g.sling_path} is a folder; POST to a user's or group's path")
    kind, name = node.authorizable
    form = request.values
    if address.selectors not in ((), ("rw",)) or (address.selectors and address.extension
                                                  not in ("html", "json")):
        raise SlingError(400, f"unknown operation {address.suffix} on {g.sling_path}; "
                              "use .rw.html")
    if "deleteAuthorizable" in form:
        _delete(kind, name)
        return _respond(PostResponse(g.sling_path).changed("deleted", g.sling_path))
    if not address.selectors:
        raise SlingError(400, f"POST {g.sling_path}.rw.html to change it, or send "
                              "deleteAuthorizable to delete it")
    members = {"addMembers", "removeMembers"}
    taken = members if kind == GROUPS else {"rep:password"}
    unknown = [key for key in form if key not in taken and not _steering(key)
               and not (kind == USERS and key.startswith("profile/"))]
    if unknown:
        what = ("a group's members (addMembers, removeMembers)" if kind == GROUPS else
                "a user's profile/<name> properties and rep:password")
        raise SlingError(400, f"{unknown[0]} is not taken here; this changes {what}")
    if kind == GROUPS:
        _change_members(name, form)
    else:
        _change_user(name, form)
    return _respond(PostResponse(g.sling_path).changed("modified", g.sling_path))


def _delete(kind: str, name: str) -> None:
    if kind == GROUPS:
        get_repository().principals.delete_group(name)
    else:
        get_accounts().delete_user(name)


def _change_members(group: str, form) -> None:
    principals = get_repository().principals
    added = [m for value in form.getlist("addMembers") for m in value.split(",") if m]
    removed = [m for value in form.getlist("removeMembers") for m in value.split(",") if m]
    if not added and not removed:
        raise SlingError(400, "send addMembers or removeMembers with the users or groups")
    for member in added:
        if not principals.exists(member):
            raise SlingError(400, f"addMembers: no user or group named {member}")
    for member in dict.fromkeys(added):
        principals.add_member(group, member)
    for member in dict.fromkeys(removed):
        try:
            principals.remove_member(group, member)
        except NotFound as error:  # the group exists (it was found): the member is the mistake
            raise SlingError(400, f"removeMembers: {error}") from None


def _change_user(name: str, form) -> None:
    accounts: Accounts = get_accounts()
    changes = profile_changes(form)
    password = form.get("rep:password")
    if password is not None and not password:
        raise SlingError(400, "rep:password is empty: send the new password")
    if not changes and password is None:
        raise SlingError(400, "send profile/<name>=<value> properties or rep:password")
    if changes:
        accounts.update_profile(name, changes)
    if password:
        accounts.set_password(name, password)
