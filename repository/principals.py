"""Groups, their members, and the principals a user acts as.

Users live in :mod:`repository.accounts`; users and groups share one namespace of names,
so an entry's principal is never ambiguous. ``everyone`` is virtual (every user is in it,
no one can be added or removed); ``administrators`` is a stored group created with the
schema. Changing groups is for administrators only (the system passes).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from . import entries
from .access import ADMIN_USER, ADMINISTRATORS, BUILT_IN_PRINCIPALS, EVERYONE, Caller
from .errors import AccessDenied, AlreadyExists, InvalidValue, NotFound
from .models import Group, GroupMember, User, as_utc

if TYPE_CHECKING:  # pragma: no cover
    from .service import Repository

GROUPS_OF = select(GroupMember.group).where(
    GroupMember.member.in_(bindparam("members", expanding=True)))
#: How deep groups may nest before membership resolution stops (a guard against cycles).
MAX_NESTING = 32


@dataclass(frozen=True)
class GroupInfo:
    name: str
    members: list[str]
    created: datetime | None = None


def check_principal_name(name: str) -> str:
    if not isinstance(name, str) or not 0 < len(name) <= 255 or not name.isprintable() \
            or "/" in name or name != name.strip():
        raise InvalidValue("a user or group name must be 1 to 255 printable characters, "
                           "without '/' or surrounding spaces")
    return name


class Principals:
    """Groups and memberships over the repository's database, acting for its caller."""

    def __init__(self, repository: "Repository") -> None:
        self._repo = repository

    # -- who a user is -------------------------------------------------------------------

    def caller_for(self, user: str, **narrowing) -> Caller:
        """The Caller for ``user``: its name, its groups (transitively) and ``everyone``;
        ``narrowing`` (ceiling, confined_to, door) as :meth:`Caller.narrowed` takes it."""
        groups = self.groups_of(user)
        caller = Caller(user=user, principals=frozenset({user, EVERYONE, *groups}),
                        is_admin=user == ADMIN_USER or ADMINISTRATORS in groups)
        return caller.narrowed(**narrowing) if narrowing else caller

    def groups_of(self, member: str) -> set[str]:
        """Every group ``member`` belongs to, directly or through other groups (one query
        per level of nesting; every authenticated request runs it)."""
        found: set[str] = set()
        frontier = {member}
        with self._repo.engine.connect() as connection:
            for _ in range(MAX_NESTING):
                rows = set(connection.scalars(GROUPS_OF, {"members": list(frontier)}))
                frontier = rows - found
                if not frontier:
                    break
                found |= frontier
        return found

    # -- managing groups -----------------------------------------------------------------

    def _require_admin(self) -> None:
        if not self._repo.caller.manages_principals:
            raise AccessDenied("only administrators may see and manage users and groups "
                               "(with a password or a token made without scopes)")

    def exists(self, name: str) -> bool:
        """True for a user, a group, or ``everyone``."""
        if name == EVERYONE:
            return True
        with self._repo._read() as s:
            return (s.scalar(select(User.id).where(User.name == name)) is not None
                    or s.scalar(select(Group.name).where(Group.name == name)) is not None)

    def is_group(self, name: str) -> bool:
        if name == EVERYONE:
            return True
        with self._repo._read() as s:
            return s.get(Group, name) is not None

    def create_group(self, name: str) -> None:
        self._require_admin()
        check_principal_name(name)
        if name in BUILT_IN_PRINCIPALS or self.exists(name):
            raise AlreadyExists(f"a user or group named {name} already exists")
        try:
            with self._repo._write() as s:
                s.add(Group(name=name))
        except IntegrityError:
            raise AlreadyExists(f"a user or group named {name} already exists") from None

    def delete_group(self, name: str) -> None:
        self._require_admin()
        if name in BUILT_IN_PRINCIPALS:
            raise InvalidValue(f"{name} is built in and cannot be deleted")
        with self._repo._write() as s:
            if s.get(Group, name) is None:
                raise NotFound(f"no group named {name}")
            s.execute(delete(GroupMember).where(GroupMember.member == name))
            s.execute(delete(GroupMember).where(GroupMember.group == name))
            s.execute(delete(Group).where(Group.name == name))
            entries.forget_principal(s, name)

    def add_member(self, group: str, member: str) -> None:
        self._require_admin()
        if group == EVERYONE:
            raise InvalidValue("everyone contains every user; its members cannot be changed")
        if member == EVERYONE:
            raise InvalidValue("everyone cannot be a member of a group")
        if group in self._members_closure(member):
            raise InvalidValue(f"{member} cannot be a member of {group}: a group may not "
                               "contain itself, directly or through other groups")
        with self._repo._write() as s:
            if s.get(Group, group) is None:
                raise NotFound(f"no group named {group}")
            if (s.scalar(select(User.id).where(User.name == member)) is None
                    and s.get(Group, member) is None):
                raise NotFound(f"no user or group named {member}")
            if s.get(GroupMember, (group, member)) is None:
                s.add(GroupMember(group=group, member=member))

    def _members_closure(self, group: str) -> set[str]:
        """``group`` and every group nested inside it."""
        found = {group}
        frontier = {group}
        with self._repo._read() as s:
            for _ in range(MAX_NESTING):
                rows = set(s.scalars(select(GroupMember.member)
                                     .where(GroupMember.group.in_(list(frontier)))))
                frontier = rows - found
                if not frontier:
                    break
                found |= frontier
        return found

    def remove_member(self, group: str, member: str) -> None:
        self._require_admin()
        with self._repo._write() as s:
            if s.get(Group, group) is None:
                raise NotFound(f"no group named {group}")
            removed = s.execute(delete(GroupMember).where(GroupMember.group == group,
                                                          GroupMember.member == member))
            if not removed.rowcount:
                raise NotFound(f"{member} is not a member of {group}")

    def list_groups(self) -> list[GroupInfo]:
        """The stored groups with their direct members (``everyone`` is not stored)."""
        self._require_admin()
        with self._repo._read() as s:
            created = dict(s.execute(select(Group.name, Group.created).order_by(Group.name)).all())
            members: dict[str, list[str]] = {name: [] for name in created}
            for group, member in s.execute(select(GroupMember.group, GroupMember.member)
                                           .order_by(GroupMember.member)):
                members.setdefault(group, []).append(member)
        return [GroupInfo(name, members[name], as_utc(moment)) for name, moment in created.items()]

    def members_of(self, group: str) -> list[str]:
        self._require_admin()
        with self._repo._read() as s:
            if s.get(Group, group) is None:
                raise NotFound(f"no group named {group}")
            return list(s.scalars(select(GroupMember.member).where(GroupMember.group == group)
                                  .order_by(GroupMember.member)))
