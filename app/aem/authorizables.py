"""Users and groups as AEM shows them: a tree of authorizables under ``/home``, rendered as
Sling renders nodes in JSON.

Where each one lives (its "authorizable path") is fixed by its name:
``/home/users/<first character>/<name>`` for a user, ``/home/groups/<first character>/<name>``
for a group. That is Jackrabbit Oak's layout with the authorizable's id as its node name and
one level of intermediate folders, as AEM configures it; tools such as aem-cmd build these
paths themselves (``/home/users/{name[0]}/{name}``), so they never move. ``admin`` is
``/home/users/a/admin``, ``administrators`` ``/home/groups/a/administrators``, and the
built-in ``everyone`` ``/home/groups/e/everyone`` (its members are every user, so it lists
none).

Nodes carry Oak's properties: ``jcr:primaryType`` (``rep:AuthorizableFolder``,
``rep:User``, ``rep:Group``), ``rep:authorizableId``, ``rep:principalName``, ``jcr:created``
in Sling's JSON date format, ``jcr:uuid`` computed as Oak computes it (a name-based UUID of
the lower-cased id), and for a group ``rep:members``, the ``jcr:uuid`` of each direct
member. A user's ``profile`` child holds its profile properties (``email`` among them).
Password hashes are never shown.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from repository.access import EVERYONE
from repository.accounts import UserInfo
from repository.paths import RepoPath
from repository.principals import GroupInfo

USERS, GROUPS = "users", "groups"
FOLDER = "rep:AuthorizableFolder"


def home_path(name: str, *, group: bool) -> str:
    """The authorizable path of a user or group (see the module docstring)."""
    return f"/home/{GROUPS if group else USERS}/{name[0]}/{name}"


def content_id(name: str) -> str:
    """Oak's ``jcr:uuid`` of an authorizable: Java's ``UUID.nameUUIDFromBytes`` (MD5,
    version 3) of its lower-cased id, so ``rep:members`` can name members as Oak does."""
    digest = bytearray(hashlib.md5(name.lower().encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def jcr_date(moment: datetime) -> str:
    """Sling's JSON date format: ``Mon Sep 07 2015 00:25:24 GMT+0000``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%a %b %d %Y %H:%M:%S GMT%z")


@dataclass
class Node:
    properties: dict
    children: dict[str, "Node"] = field(default_factory=dict)
    #: ("users" | "groups", name) for an authorizable's own node.
    authorizable: tuple[str, str] | None = None

    def render(self, depth: int) -> dict:
        """The node's JSON with ``depth`` levels of children (-1: all of them)."""
        shown = dict(self.properties)
        if depth != 0:
            for name, child in self.children.items():
                shown[name] = child.render(depth - 1 if depth > 0 else -1)
        return shown


def _folder() -> Node:
    return Node({"jcr:primaryType": FOLDER})


def _identity(kind: str, name: str, created: datetime | None) -> dict:
    properties = {"jcr:primaryType": kind}
    if created is not None:
        properties["jcr:created"] = jcr_date(created)
    properties.update({"jcr:uuid": content_id(name), "rep:authorizableId": name,
                       "rep:principalName": name})
    return properties


def home_tree(users: list[UserInfo], groups: list[GroupInfo]) -> Node:
    """``/home`` with every user and group (``everyone`` included)."""
    users_folder, groups_folder = _folder(), _folder()
    for user in users:
        profile = {"jcr:primaryType": "nt:unstructured", **user.profile}
        if user.email:
            profile["email"] = user.email
        node = Node(_identity("rep:User", user.name, user.created), {"profile": Node(profile)},
                    authorizable=(USERS, user.name))
        users_folder.children.setdefault(user.name[0], _folder()).children[user.name] = node
    for group in [*groups, GroupInfo(EVERYONE, [])]:
        properties = _identity("rep:Group", group.name, group.created)
        if group.members:
            properties["rep:members"] = [content_id(member) for member in group.members]
        node = Node(properties, authorizable=(GROUPS, group.name))
        groups_folder.children.setdefault(group.name[0], _folder()).children[group.name] = node
    for folder in (users_folder, groups_folder):
        folder.children = dict(sorted(folder.children.items()))
    return Node({"jcr:primaryType": FOLDER}, {USERS: users_folder, GROUPS: groups_folder})


def find(tree: Node, path: RepoPath) -> Node | None:
    """The node at ``path`` below ``/home`` (``("users", "a", "alice")``), or None."""
    node: Node | None = tree
    for name in path:
        node = node.children.get(name) if node is not None else None
    return node
