"""Sling's access manager (``jackrabbit-accessmanager``) on the tree, addressed as
``/content/dam/<path>``: ``/content/dam`` is the tree's root, ``/content/dam/photos`` the
repository path ``/photos``.

- ``POST <path>.modifyAce.json|html``: ``principalId``, and per privilege
  ``privilege@<name>=granted|denied|none`` (``allow``/``deny`` too, as Sling takes them) or
  ``privilege@<name>@Delete=all``. Aggregates are applied before the privileges they
  contain, so ``privilege@jcr:all=denied&privilege@jcr:read=granted`` denies all but read.
  ``restriction@rep:glob=`` (empty) changes the principal's node-only entry instead, which
  applies to the node alone (Oak's meaning of an empty glob); a principal may hold one entry
  of each kind on a node. Needs ``jcr:modifyAccessControl``.
- ``POST <path>.deleteAce.json|html``: ``:applyTo=<principal>``, repeated for several;
  removes their entries on the node. Needs ``jcr:modifyAccessControl``.
- ``GET <path>.acl.json`` (entries set on the node) and ``GET <path>.eacl.json`` (entries in
  effect there, with ``declaredAt``), ``.tidy.acl.json``/``.tidy.eacl.json`` indented.
  Needs ``jcr:readAccessControl``.

The JSON is Sling's (accessmanager 3.1 and later): per principal ``principal``, ``order``,
``privileges`` (``{"jcr:read": {"allow": true}, "jcr:write": {"deny": true}}``, aggregates
shown as such when whole; a node-only entry's privileges as ``{"allow": {"rep:glob":
""}}``) and, in ``eacl.json``, ``declaredAt`` (``{"node": path}``, a
list when several nodes declare it). Statuses as Sling's servlets give them, except that
nothing here answers 5xx: a GET the caller may not make is a 404 (Sling turns JCR's
AccessDeniedException into one); a POST refused for lack of a privilege is a 403 (404 when
the caller cannot read the node); a missing or unknown ``principalId``, an unknown
privilege or value, a restriction other than the empty ``rep:glob`` → 400; a missing node → 404. ``order`` is accepted and ignored: a node holds one
entry per principal, and evaluation does not depend on their order.

Other ``.selector.extension`` operations may be added with :func:`operation` (a POST with
an unknown one is a 400 naming it, never a new node).
"""
from __future__ import annotations

import json
from typing import Callable

from flask import Response, current_app, g, request

from repository.access import PRIVILEGES, Entry, privilege_bits, privilege_names
from repository.acl import EffectiveEntry
from repository.errors import AccessDenied, InvalidValue
from repository.paths import RepoPath

from .. import get_repository
from .slingpost import HTML, JSON, PostResponse
from .toolbox import Address, SlingError, bp, sling_path, split_address

MOUNT = "/content/dam"
Handler = Callable[[Address], Response]
#: (method, selectors, extension) → handler
OPERATIONS: dict[tuple[str, tuple[str, ...], str], Handler] = {}

GRANT, DENY, CLEAR = "granted", "denied", "none"
VALUES = {"granted": GRANT, "allow": GRANT, "denied": DENY, "deny": DENY, "none": CLEAR}
ACCESS_CONTROL_EXCEPTION = "javax.jcr.security.AccessControlException"
#: Privileges are listed in JCR's order: jcr:read first, the aggregates last.
ORDER = {name: index for index, name in enumerate(PRIVILEGES)}
#: How Sling shows the restriction of a node-only entry (JCR's rep:glob "").
NODE_ONLY = {"rep:glob": ""}


def operation(method: str, selectors: tuple[str, ...], *extensions: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``<path>.<selectors>.<extension>`` requests."""
    def register(handler: Handler) -> Handler:
        for extension in extensions:
            OPERATIONS[(method, selectors, extension)] = handler
        return handler
    return register


@bp.route(MOUNT, defaults={"rest": ""}, methods=["GET", "POST"])
@bp.route(MOUNT + "<anypath:rest>", methods=["GET", "POST"])
def dispatch(rest: str) -> Response:
    method = "GET" if request.method == "HEAD" else request.method
    repository = get_repository()
    address = split_address(
        rest, repository.exists,
        lambda a: (method, a.selectors, a.extension or "") in OPERATIONS)
    g.sling_path = sling_path(MOUNT, address.path)
    handler = OPERATIONS.get((method, address.selectors, address.extension or ""))
    if handler is not None:
        return handler(address)
    if method == "GET":
        raise SlingError(404, f"{g.sling_path}{address.suffix}: nothing is served here; GET "
                              f"{g.sling_path}.acl.json or .eacl.json for its entries")
    if not address.suffix:
        raise SlingError(400, f"POST {g.sling_path} needs an operation: "
                              ".modifyAce.json or .deleteAce.json")
    raise SlingError(400, f"unknown operation {address.suffix} on {g.sling_path}; "
                          "use .modifyAce.json or .deleteAce.json (or .html)")


def _default_type(address: Address) -> str:
    return JSON if address.extension == "json" else HTML


# -- reading entries --------------------------------------------------------------------------

Shown = dict[str, dict[str, object]]


def _show(shown: Shown, allow: int, deny: int, node_only: bool = False) -> Shown:
    """Add privileges to Sling's ``privileges`` object: ``{"allow": true}``, or for a
    node-only entry ``{"allow": {"rep:glob": ""}}`` (an unrestricted word wins: it says more)."""
    word: object = dict(NODE_ONLY) if node_only else True
    for key, bits in (("allow", allow), ("deny", deny)):
        for name in privilege_names(bits):
            current = shown.setdefault(name, {})
            if current.get(key) is not True:
                current[key] = word
    return dict(sorted(shown.items(), key=lambda item: ORDER[item[0]]))


def _json(body: dict, address: Address) -> Response:
    tidy = "tidy" in address.selectors
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False, indent=2 if tidy else None), mimetype=JSON)


def _readable(read: Callable[[RepoPath], list]) -> Callable[[RepoPath], list]:
    """Sling answers a GET the caller may not make with a 404, as if nothing were there."""
    def guarded(path: RepoPath) -> list:
        try:
            return read(path)
        except AccessDenied:
            raise SlingError(404, f"{sling_path(MOUNT, path)}: no such node, or you may not "
                                  "read its access control (jcr:readAccessControl)") from None
    return guarded


@operation("GET", ("acl",), "json")
@operation("GET", ("tidy", "acl"), "json")
def get_acl(address: Address) -> Response:
    entries: list[Entry] = _readable(get_repository().access.entries)(address.path)
    body: dict[str, dict] = {}
    for entry in entries:  # a principal may have an entry and a node-only entry here
        shown = body.setdefault(entry.principal, {"principal": entry.principal,
                                                  "order": len(body), "privileges": {}})
        shown["privileges"] = _show(shown["privileges"], entry.allow, entry.deny,
                                    entry.node_only)
    return _json(body, address)


@operation("GET", ("eacl",), "json")
@operation("GET", ("tidy", "eacl"), "json")
def get_effective_acl(address: Address) -> Response:
    effective: list[EffectiveEntry] = _readable(get_repository().access.effective)(address.path)
    body = {}
    for order, entry in enumerate(effective):
        declared = [sling_path(MOUNT, path) for path in entry.declared_at]
        body[entry.principal] = {
            "principal": entry.principal, "order": order,
            "privileges": _show({}, entry.granted, entry.denied),
            "declaredAt": {"node": declared[0] if len(declared) == 1 else declared},
        }
    return _json(body, address)


# -- changing entries -------------------------------------------------------------------------

def _existing_principal(name: str | None, field: str) -> str:
    if not name:
        raise SlingError(400, f"{field} was not submitted: name the user or group")
    if not get_repository().principals.exists(name):
        raise SlingError(400, f"Invalid principalId was submitted: no user or group named {name}")
    return name


def _bits(name: str) -> int:
    try:
        return privilege_bits([name])
    except InvalidValue as error:
        raise SlingError(400, str(error), ACCESS_CONTROL_EXCEPTION) from None


def node_only(form) -> bool:
    """True when the form restricts the entry to its node: ``restriction@rep:glob=`` (an
    empty glob, as Oak reads it), the one restriction entries here can hold."""
    restricted = False
    for key in form:
        if not key.startswith("restriction@"):
            continue
        if key != "restriction@rep:glob" or form.getlist(key) != [""]:
            raise SlingError(400, f"{key}: the only restriction supported is rep:glob with an "
                                  "empty value (the entry applies to its node alone); an entry "
                                  "otherwise applies to its node and everything below it",
                             ACCESS_CONTROL_EXCEPTION)
        restricted = True
    return restricted


def privilege_changes(form) -> tuple[int, int, int]:
    """The privileges to grant, to deny and to clear that the form's ``privilege@...``
    fields ask for, as three disjoint bit sets (see the module docstring)."""
    # (order, bits, what): @Delete fields first, then aggregates before what they contain
    # (the narrower privilege has the last word), and at one privilege none before the rest.
    steps: list[tuple[tuple[int, int, bool], int, str]] = []
    for key in form:
        if not key.startswith("privilege@"):
            continue
        name = key[len("privilege@"):]
        values = [value.strip().lower() for value in form.getlist(key)]
        if name.endswith("@Delete"):
            bits = _bits(name[: -len("@Delete")])
            if any(value != "all" for value in values):
                raise SlingError(400, f"{key} takes 'all' here (allow and deny are cleared "
                                      f"together); to keep one, send privilege@{name[:-7]}="
                                      "granted or denied")
            steps.append(((0, 0, False), bits, CLEAR))
            continue
        bits = _bits(name)
        unknown = [value for value in values if value not in VALUES]
        if unknown or not values:
            raise SlingError(400, f"{key}={unknown[0] if unknown else ''!r}: the value must be "
                                  "granted, denied or none")
        wanted = {VALUES[value] for value in values}
        if {GRANT, DENY} <= wanted:
            raise SlingError(400, f"{key}: a privilege cannot be both granted and denied")
        for what in wanted:
            steps.append(((1, -bin(bits).count("1"), what != CLEAR), bits, what))
    outcome = {GRANT: 0, DENY: 0, CLEAR: 0}
    for _, bits, what in sorted(steps, key=lambda step: step[0]):
        for kind in outcome:
            outcome[kind] &= ~bits
        outcome[what] |= bits
    return outcome[GRANT], outcome[DENY], outcome[CLEAR]


@operation("POST", ("modifyAce",), "json", "html")
def modify_ace(address: Address) -> Response:
    principal = _existing_principal(request.values.get("principalId"), "principalId")
    restricted = node_only(request.values)
    granted, denied, cleared = privilege_changes(request.values)
    get_repository().access.modify(address.path, principal, granted=granted, denied=denied,
                                   cleared=cleared, node_only=restricted)
    return (PostResponse(sling_path(MOUNT, address.path)).changed("modified", principal)
            .send(_default_type(address)))


@operation("POST", ("deleteAce",), "json", "html")
def delete_ace(address: Address) -> Response:
    names = [name for name in request.values.getlist(":applyTo") if name]
    if not names:
        raise SlingError(400, "principalIds were not submitted: send :applyTo=<user or group>, "
                              "repeated for several")
    for name in names:
        _existing_principal(name, ":applyTo")
    response = PostResponse(sling_path(MOUNT, address.path))
    access = get_repository().access
    for name in dict.fromkeys(names):
        if access.remove(address.path, name):
            response.changed("deleted", name)
    return response.send(_default_type(address))
