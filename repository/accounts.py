"""Users, passwords and API tokens. Secrets are stored only as salted hashes.

Passwords use scrypt (slow on purpose); tokens are 256-bit random secrets, so one salted
sha256 suffices. Every comparison is constant-time.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from .errors import AlreadyExists, NotFound
from .models import Token, User

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
    """User and token storage over the repository's database."""

    def __init__(self, repository) -> None:
        self._repo = repository

    def count_users(self) -> int:
        with self._repo._read() as s:
            return s.scalar(select(func.count()).select_from(User)) or 0

    def create_user(self, name: str, password: str | None, email: str | None = None) -> None:
        if not name or len(name) > 255:
            raise ValueError("a user name must be 1 to 255 characters")
        try:
            with self._repo._write() as s:
                s.add(User(name=name, email=email,
                           password_hash=hash_password(password) if password else None))
        except IntegrityError:
            raise AlreadyExists(f"the user {name} already exists") from None

    def set_password(self, name: str, password: str) -> None:
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
        with self._repo._read() as s:
            user = s.scalar(select(User).where(User.name == name))
        if user is None:
            check_password(_DUMMY_HASH, password)  # same work whether or not the user exists
            return None
        if not check_password(user.password_hash, password):
            return None
        return Identity(user_id=user.id, name=user.name, email=user.email)

    def create_token(
        self, user_name: str, scopes: list[str] | tuple[str, ...] = (), tenant: str | None = None
    ) -> str:
        """Mint a token and return it; it is shown once and never stored in clear."""
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(8)
        with self._repo._write() as s:
            user = s.scalar(select(User).where(User.name == user_name))
            if user is None:
                raise NotFound(f"no user named {user_name}")
            s.add(Token(id=token_id, user_id=user.id, secret_hash=f"{salt}${_hash_secret(secret, salt)}",
                        scopes=list(scopes), tenant=tenant))
        return f"{token_id}.{secret}"

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
        return Identity(user_id=found.user_id, name=found.name, email=found.email,
                        scopes=tuple(found.scopes or ()), tenant=found.tenant)


#: Every authenticated request runs this; a Core query of the columns needed costs a
#: fraction of loading two ORM objects.
TOKEN_WITH_USER = (
    select(Token.secret_hash, Token.scopes, Token.tenant, User.id.label("user_id"), User.name,
           User.email)
    .join(User, User.id == Token.user_id)
    .where(Token.id == bindparam("token_id"))
)

_DUMMY_HASH = hash_password(secrets.token_hex(8))
