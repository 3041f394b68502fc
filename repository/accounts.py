"""Users, passwords and API tokens. Secrets are stored only as salted hashes.

Passwords use scrypt (slow on purpose); tokens are 256-bit random secrets, so one salted
sha256 suffices. Every comparison is constant-time.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Mapping

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError

from . import entries
from .access import ADMIN_USER, BUILT_IN_PRINCIPALS
from .errors import AccessDenied, AlreadyExists, InvalidValue, NotFound
from .models import Group, GroupMember, Token, User, utcnow
from .principals import check_principal_name
from .values import check_json, check_text

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Identity:
    """Who is calling, and what their credential allows."""

    user_id: int
    name: str
    email: str | None
    #: None for a password login (no restriction); the token's scopes otherwise.
    scopes: tuple[str, ...] | None = None
    tenant: str | None = None


@dataclass(frozen=True)
class UserInfo:
    name: str
    email: str | None
    created: datetime
    #: Profile properties other than the e-mail (see :meth:`Accounts.update_profile`).
    profile: dict = field(default_factory=dict)


#: A profile property's value: a string, number or boolean, or a list of them.
ProfileValue = str | int | float | bool | list
#: The profile property that is the user's e-mail (AEM's ``profile/email``).
EMAIL = "email"
MAX_PROFILE_BYTES = 64 * 1024


def _check_profile_value(key: str, value: object) -> None:
    if not isinstance(key, str) or not 0 < len(key) <= 255 or not key.isprintable() \
            or "/" in key:
        raise InvalidValue(f"a profile property name must be 1 to 255 printable characters "
                           f"without '/', not {key!r}")
    check_text(key, "a profile property name")
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, (str, int, float, bool)):
            raise InvalidValue(f"profile/{key}: a value must be a string, number or boolean "
                               "(or a list of them)")
    check_json(value, f"profile/{key}")


@dataclass(frozen=True)
class TokenInfo:
    """What ``tokens list`` shows of a token: never its secret."""

    id: str
    user: str
    scopes: tuple[str, ...]
    tenant: str | None
    created: datetime
    expires: datetime | None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(computed.hex(), digest)


def _hash_secret(secret: str, salt: str) -> str:
    return hashlib.sha256((salt + secret).encode()).hexdigest()


class Accounts:
    """User and token storage over the repository's database.

    Authenticating is open to all; managing users and tokens is for administrators (the
    repository's caller must be one; the command line acts as the system).
    """

    def __init__(self, repository) -> None:
        self._repo = repository

    def _require_admin(self) -> None:
        if not self._repo.caller.manages_principals:
            raise AccessDenied("only administrators may see and manage users and tokens "
                               "(with a password or a token made without scopes)")

    def count_users(self) -> int:
        with self._repo._read() as s:
            return s.scalar(select(func.count()).select_from(User)) or 0

    def create_user(self, name: str, password: str | None, email: str | None = None,
                    groups: tuple[str, ...] | list[str] = (),
                    profile: Mapping[str, ProfileValue] | None = None) -> None:
        """Create a user (and make it a member of ``groups``, which must exist), with
        ``profile`` properties as :meth:`update_profile` takes them."""
        self._require_admin()
        if name != ADMIN_USER:
            check_principal_name(name)
            if name in BUILT_IN_PRINCIPALS:
                raise AlreadyExists(f"{name} is a built-in principal")
        email, stored_profile = _merged_profile(email, {}, profile or {})
        try:
            with self._repo._write() as s:
                if s.get(Group, name) is not None:
                    raise AlreadyExists(f"a group named {name} already exists")
                for group in groups:
                    if s.get(Group, group) is None:
                        raise NotFound(f"no group named {group}")
                s.add(User(name=name, email=email, profile=stored_profile or None,
                           password_hash=hash_password(password) if password else None))
                s.flush()
                for group in dict.fromkeys(groups):
                    s.add(GroupMember(group=group, member=name))
        except IntegrityError:
            raise AlreadyExists(f"the user {name} already exists") from None

    def list_users(self) -> list[UserInfo]:
        self._require_admin()
        with self._repo._read() as s:
            return [_info(user) for user in s.scalars(select(User).order_by(User.name))]

    def get_user(self, name: str) -> UserInfo:
        self._require_admin()
        with self._repo._read() as s:
            user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"no user named {name}")
        return _info(user)

    def update_profile(self, name: str, changes: Mapping[str, ProfileValue | None]) -> UserInfo:
        """Set profile properties (``None`` removes one). ``email`` is the user's e-mail,
        the one the APIs show; the other properties are kept as given."""
        self._require_admin()
        with self._repo._write() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                raise NotFound(f"no user named {name}")
            user.email, user.profile = _merged_profile(user.email, user.profile or {}, changes)
            user.profile = user.profile or None
            s.flush()
            return _info(user)

    def set_email(self, name: str, email: str | None) -> None:
        self._require_admin()
        with self._repo._write() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                raise NotFound(f"no user named {name}")
            user.email = email

    def delete_user(self, name: str) -> None:
        """Delete a user with its tokens, group memberships and access control entries."""
        self._require_admin()
        if name == ADMIN_USER:
            raise InvalidValue("admin is built in and cannot be deleted")
        with self._repo._write() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                raise NotFound(f"no user named {name}")
            s.execute(delete(Token).where(Token.user_id == user.id))
            s.execute(delete(GroupMember).where(GroupMember.member == name))
            entries.forget_principal(s, name)
            s.delete(user)

    def set_password(self, name: str, password: str) -> None:
        self._require_admin()
        with self._repo._write() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                raise NotFound(f"no user named {name}")
            if not check_password(user.password_hash, password):
                user.password_hash = hash_password(password)

    def ensure_user(self, name: str, password: str) -> None:
        """Create the user, or reset its password, so that ``password`` logs in."""
        try:
            self.create_user(name, password)
        except AlreadyExists:
            self.set_password(name, password)

    def authenticate_password(self, name: str, password: str) -> Identity | None:
        verified = self.verify_password(name, password)
        return verified[0] if verified is not None else None

    def verify_password(self, name: str, password: str) -> tuple[Identity, str] | None:
        """The identity of ``name`` if ``password`` is its password, with the stored hash
        it was checked against (see :meth:`identity_if_unchanged`)."""
        with self._repo._read() as s:
            user = s.scalar(select(User).where(User.name == name))
        if user is None:
            check_password(_DUMMY_HASH, password)  # same work whether or not the user exists
            return None
        if not check_password(user.password_hash, password):
            return None
        return Identity(user_id=user.id, name=user.name, email=user.email), user.password_hash

    def identity_if_unchanged(self, user_id: int, password_hash: str) -> Identity | None:
        """The user's identity if it still exists with the same password hash: a cheap
        re-check of a password verified moments ago (no scrypt)."""
        with self._repo.engine.connect() as connection:
            found = connection.execute(USER_BY_ID, {"user_id": user_id}).first()
        if found is None or not hmac.compare_digest(found.password_hash or "", password_hash):
            return None
        return Identity(user_id=user_id, name=found.name, email=found.email)

    def create_token(
        self, user_name: str, scopes: list[str] | tuple[str, ...] = (), tenant: str | None = None,
        expires_in: timedelta | None = None,
    ) -> str:
        """Mint a token and return it; it is shown once and never stored in clear."""
        self._require_admin()
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidValue("a token's lifetime must be positive")
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(8)
        with self._repo._write() as s:
            user = s.scalar(select(User).where(User.name == user_name))
            if user is None:
                raise NotFound(f"no user named {user_name}")
            s.add(Token(id=token_id, user_id=user.id, secret_hash=f"{salt}${_hash_secret(secret, salt)}",
                        scopes=list(scopes), tenant=tenant,
                        expires=utcnow() + expires_in if expires_in is not None else None))
        return f"{token_id}.{secret}"

    def list_tokens(self, user_name: str | None = None) -> list[TokenInfo]:
        self._require_admin()
        query = (select(Token.id, User.name, Token.scopes, Token.tenant, Token.created,
                        Token.expires).join(User, User.id == Token.user_id)
                 .order_by(User.name, Token.created, Token.id))
        if user_name is not None:
            query = query.where(User.name == user_name)
        with self._repo._read() as s:
            return [TokenInfo(row.id, row.name, tuple(row.scopes or ()), row.tenant,
                              _aware(row.created), _aware(row.expires))
                    for row in s.execute(query)]

    def revoke_token(self, token_id: str) -> None:
        """Delete a token: from the next request on, in every process, it authenticates no one."""
        self._require_admin()
        with self._repo._write() as s:
            if not s.execute(delete(Token).where(Token.id == token_id)).rowcount:
                raise NotFound(f"no token with id {token_id}")

    def authenticate_token(self, token: str) -> Identity | None:
        token_id, dot, secret = token.partition(".")
        if not dot or not token_id or not secret:
            return None
        with self._repo.engine.connect() as connection:
            found = connection.execute(TOKEN_WITH_USER, {"token_id": token_id}).first()
        if found is None:
            return None
        salt, _, digest = found.secret_hash.partition("$")
        if not hmac.compare_digest(_hash_secret(secret, salt), digest):
            return None
        if found.expires is not None and _aware(found.expires) <= utcnow():
            return None
        return Identity(user_id=found.user_id, name=found.name, email=found.email,
                        scopes=tuple(found.scopes or ()), tenant=found.tenant)


def _info(user: User) -> UserInfo:
    return UserInfo(user.name, user.email, _aware(user.created), dict(user.profile or {}))


def _merged_profile(email: str | None, profile: Mapping[str, ProfileValue],
                    changes: Mapping[str, ProfileValue | None]) -> tuple[str | None, dict]:
    """The e-mail and profile after ``changes``, checked."""
    merged = dict(profile)
    for key, value in changes.items():
        if key == EMAIL:
            if value is not None and (not isinstance(value, str) or len(value) > 255):
                raise InvalidValue("profile/email must be a text of at most 255 characters")
            if value is not None:
                check_text(value, "profile/email")
            email = value or None
            continue
        if value is None:
            merged.pop(key, None)
            continue
        _check_profile_value(key, value)
        merged[key] = value
    if len(json.dumps(merged, ensure_ascii=False).encode()) > MAX_PROFILE_BYTES:
        raise InvalidValue(f"a user's profile may hold at most {MAX_PROFILE_BYTES} bytes of JSON")
    return email, merged


#: Every authenticated request runs this; a Core query of the columns needed costs a
#: fraction of loading two ORM objects.
TOKEN_WITH_USER = (
    select(Token.secret_hash, Token.scopes, Token.tenant, Token.expires, User.id.label("user_id"),
           User.name, User.email)
    .join(User, User.id == Token.user_id)
    .where(Token.id == bindparam("token_id"))
)

def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


USER_BY_ID = select(User.name, User.email, User.password_hash).where(
    User.id == bindparam("user_id"))

_DUMMY_HASH = hash_password(secrets.token_hex(8))
