"""Who may do what on the tree: principals, privileges, access control entries, and their
evaluation. The rules live here and nowhere else; every Repository call applies them for
its caller, whichever API the call came through.

The model is JCR's, as Jackrabbit Oak evaluates it (and as AEM and Sling users know it):

Principals
    Users and groups share one namespace of names. A group may contain users and groups.
    Built in: the user ``admin`` and the members of the group ``administrators`` pass every
    check; the group ``everyone`` contains every user (its membership cannot be edited).

Privileges
    ``jcr:read``, ``jcr:modifyProperties``, ``jcr:addChildNodes``, ``jcr:removeNode``,
    ``jcr:removeChildNodes``, ``jcr:readAccessControl``, ``jcr:modifyAccessControl``, and
    the aggregates ``jcr:write`` (the four write privileges) and ``jcr:all`` (everything).

Entries
    On any node, per principal: the privileges allowed and those denied. An entry applies to
    its node and everything below it; a *node-only* entry (JCR's ``rep:glob`` restriction
    ``""``) applies to its node alone. (Allowing ``jcr:addChildNodes`` on ``/projects`` node
    only lets a user create projects without letting it add to other users' projects.)

Evaluation, per privilege, for a caller (a user, its groups transitively, and ``everyone``)
    1. Walk from the node up to the root; the nearest node holding an entry of one of the
       caller's principals *that mentions the privilege* decides.
    2. At that node the user's own entry, if it mentions the privilege, decides; otherwise
       its groups' entries do. At one level deny beats allow.
    3. No entry anywhere: not granted. A user with no entry and no group has no rights.
    4. Administrators pass, whatever the entries say.
    5. Then the credential narrows it: a token's scopes give a *ceiling* of privileges, and
       a tenant-bound token is *confined* to its subtree. Nothing widens a user's rights.

What each operation needs (checked by the Repository, atomically with the operation)
    - read a node or list a folder: ``jcr:read`` on it. A node the caller cannot read does
      not exist for it (NotFound, never a refusal that would leak the name); a listing
      leaves such children out, and its total counts only what the caller may read. A path
      may pass through nodes the caller cannot read (as in JCR).
    - create a node: ``jcr:addChildNodes`` on the parent;
    - change properties or a binary: ``jcr:modifyProperties`` on the node;
    - delete a node: ``jcr:removeChildNodes`` on its parent and ``jcr:removeNode`` on the
      node and on everything below it (one denial anywhere refuses the whole operation);
    - MOVE: delete's privileges at the source, ``jcr:addChildNodes`` at the destination's
      parent, and delete's privileges on a destination it overwrites;
    - COPY: ``jcr:read`` on the source and ``jcr:addChildNodes`` at the destination's parent
      (plus delete's on an overwritten destination). Nodes below the source the caller
      cannot read are not copied. A copy gets its new place's permissions (entries are not
      copied); a moved node keeps its entries.
    - read entries: ``jcr:readAccessControl``; change them: ``jcr:modifyAccessControl``;
    - list, read or manage users and groups: administrators only, with a credential the
      ceiling and confinement of rule 5 leave whole (an administrator's token made with
      scopes manages no one: its scopes name privileges on the tree, not accounts).
    Where the caller may read a node but lacks the privilege to change it, the answer is
    :class:`~repository.errors.AccessDenied` and nothing changes.

Entries are sparse: evaluating a node costs one query for the entries on its path; a
listing adds one for entries on the listed children, so a folder with no entries below it
lists as fast as it would for an administrator.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .errors import InvalidValue
from .paths import RepoPath, is_within

READ = 1
MODIFY_PROPERTIES = 2
ADD_CHILD_NODES = 4
REMOVE_NODE = 8
REMOVE_CHILD_NODES = 16
READ_ACCESS_CONTROL = 32
MODIFY_ACCESS_CONTROL = 64
WRITE = MODIFY_PROPERTIES | ADD_CHILD_NODES | REMOVE_NODE | REMOVE_CHILD_NODES
ALL = READ | WRITE | READ_ACCESS_CONTROL | MODIFY_ACCESS_CONTROL
NONE = 0

#: Every privilege by its JCR name, aggregates included.
PRIVILEGES: dict[str, int] = {
    "jcr:read": READ,
    "jcr:modifyProperties": MODIFY_PROPERTIES,
    "jcr:addChildNodes": ADD_CHILD_NODES,
    "jcr:removeNode": REMOVE_NODE,
    "jcr:removeChildNodes": REMOVE_CHILD_NODES,
    "jcr:readAccessControl": READ_ACCESS_CONTROL,
    "jcr:modifyAccessControl": MODIFY_ACCESS_CONTROL,
    "jcr:write": WRITE,
    "jcr:all": ALL,
}
#: The non-aggregate privileges, in the order names are listed.
SIMPLE_PRIVILEGES = [name for name, bit in PRIVILEGES.items() if bit & (bit - 1) == 0]

ADMIN_USER = "admin"
ADMINISTRATORS = "administrators"
EVERYONE = "everyone"
#: Names no user or group may be created with (``admin`` exists from the start).
BUILT_IN_PRINCIPALS = frozenset({ADMIN_USER, ADMINISTRATORS, EVERYONE})


def privilege_bits(names: Iterable[str]) -> int:
    """The bit set of JCR privilege names; an unknown name raises InvalidValue."""
    bits = 0
    for name in names:
        try:
            bits |= PRIVILEGES[name]
        except KeyError:
            raise InvalidValue(
                f"unknown privilege {name!r}; use one of {', '.join(PRIVILEGES)}") from None
    return bits


def privilege_names(bits: int) -> list[str]:
    """The names of ``bits``, aggregated where a whole aggregate is set (``jcr:all``,
    ``jcr:write``), as JCR tools show them."""
    if bits & ALL == ALL:
        return ["jcr:all"]
    names = []
    if bits & WRITE == WRITE:
        names.append("jcr:write")
        bits &= ~WRITE
    names.extend(name for name in SIMPLE_PRIVILEGES if bits & PRIVILEGES[name])
    return names


@dataclass(frozen=True)
class Entry:
    """One principal's entry on one node."""

    principal: str
    allow: int = NONE
    deny: int = NONE
    #: Applies to its node alone, not below (``rep:glob`` ``""``).
    node_only: bool = False


@dataclass(frozen=True)
class Caller:
    """Who a Repository call acts for, and what its credential allows at most."""

    #: The user's name; None for the system itself and for anonymous callers.
    user: str | None
    #: The names whose entries apply: the user, its groups (transitively), ``everyone``.
    principals: frozenset[str] = frozenset()
    #: Administrators (and the system) pass every entry check.
    is_admin: bool = False
    #: The privileges the credential allows at most (a token's scopes).
    ceiling: int = ALL
    #: A tenant-bound token's subtree; None: the whole tree.
    confined_to: RepoPath | None = None
    #: Which API the call came through (``aem``, ``emporix``...); it decides which owned
    #: properties the caller may write (see ``Repository.own_properties``). None: the system.
    door: str | None = None

    @property
    def is_system(self) -> bool:
        return self.is_admin and self.user is None

    @property
    def manages_principals(self) -> bool:
        """May list, read and change users and groups (see the module docstring)."""
        return self.is_admin and self.ceiling == ALL and self.confined_to is None

    def narrowed(self, *, ceiling: int | None = None, confined_to: RepoPath | None = None,
                 door: str | None = None) -> "Caller":
        """The same principals with a lower ceiling, a confinement, a door."""
        return Caller(
            user=self.user, principals=self.principals, is_admin=self.is_admin,
            ceiling=self.ceiling & (ALL if ceiling is None else ceiling),
            confined_to=confined_to if confined_to is not None else self.confined_to,
            door=door if door is not None else self.door,
        )


#: Background work, start-up and the command line: every check passes.
SYSTEM = Caller(user=None, is_admin=True)
#: A request that authenticated as nobody: no rights at all.
ANONYMOUS = Caller(user=None)


def fold(inherited: int, entries: Iterable[Entry], user: str | None) -> int:
    """The privileges granted at a node, given those granted at its parent (``inherited``)
    and the caller's entries on the node: rules 1 and 2 of the module docstring."""
    own_allow = own_deny = group_allow = group_deny = 0
    for entry in entries:
        if entry.principal == user:
            own_allow |= entry.allow
            own_deny |= entry.deny
        else:
            group_allow |= entry.allow
            group_deny |= entry.deny
    granted = inherited
    decided = 0
    for allow, deny in ((own_allow, own_deny), (group_allow, group_deny)):
        mentioned = (allow | deny) & ~decided
        granted = (granted & ~mentioned) | (allow & ~deny & mentioned)
        decided |= mentioned
    return granted


def step(inherited: int, entries: Iterable[Entry], user: str | None) -> tuple[int, int]:
    """(granted at the node, passed on to its children), given what its parent passes on
    and the caller's entries on the node: node-only entries count for the node alone."""
    entries = list(entries)
    granted = fold(inherited, entries, user)
    if not any(entry.node_only for entry in entries):
        return granted, granted
    return granted, fold(inherited, [e for e in entries if not e.node_only], user)


def evaluate(chain: list[str], entries: Mapping[str, list[Entry]],
             caller: Caller) -> tuple[int, int]:
    """What ``caller``'s entries grant on the last node of ``chain`` (node ids from the root
    down), and what that node passes on to its children; before administrators and the
    credential are considered."""
    granted = passed_on = NONE
    for node_id in chain:
        granted, passed_on = step(passed_on, entries.get(node_id, ()), caller.user)
    return granted, passed_on


def effective(caller: Caller, path: RepoPath, by_entries: int) -> int:
    """Rules 4 and 5: what ``caller`` holds on the node at ``path`` whose entries grant
    ``by_entries``."""
    if caller.confined_to is not None and not is_within(path, caller.confined_to):
        return NONE
    granted = ALL if caller.is_admin else by_entries
    return granted & caller.ceiling


@dataclass
class Acl:
    """The entries set on one node (Sling's ``.acl.json``) or in effect there
    (``.eacl.json``: ``declared_at`` says which node each came from)."""

    entries: list[Entry] = field(default_factory=list)
    declared_at: dict[str, RepoPath] = field(default_factory=dict)
