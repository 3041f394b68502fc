"""Password logins that cost little and cannot be flooded.

Checking a password costs ~60 ms of CPU (scrypt, slow on purpose), so a client sending
HTTP Basic on every request, or an attacker sending wrong passwords, could eat a server's
CPU. Two remedies, per server process:

- A password verified moments ago is remembered for ``LOGIN_CACHE_SECONDS`` under a keyed
  hash of the name and password (never the password itself); a request presenting it again
  costs one indexed query that checks the user still exists with the same password (so a
  deleted user or a changed password stops working at once).
- Failed logins are counted per client address and per user name over
  ``LOGIN_FAILURE_WINDOW`` seconds; past ``LOGIN_MAX_FAILURES_PER_ADDRESS`` or
  ``LOGIN_MAX_FAILURES_PER_USER`` a password that is not already remembered is not even
  checked: :class:`TooManyLogins` (429 with ``Retry-After``). A remembered one still passes,
  so a flood of wrong passwords does not lock out a user who is already working.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict, deque

from repository.accounts import Accounts, Identity

from .errors import ApiError

#: The most remembered logins and counted names/addresses a process keeps.
MAX_ENTRIES = 10_000


class TooManyLogins(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "too many failed logins; try again in "
                              f"{retry_after} seconds", {"Retry-After": str(retry_after)})


class LoginGuard:
    def __init__(self, accounts: Accounts, key: bytes, *, cache_seconds: float,
                 window_seconds: float, max_per_address: int, max_per_user: int) -> None:
        self._accounts = accounts
        self._key = key
        self._cache_seconds = cache_seconds
        self._window = window_seconds
        self._limits = {"address": max_per_address, "user": max_per_user}
        self._lock = threading.Lock()
        self._remembered: OrderedDict[bytes, tuple[float, int, str]] = OrderedDict()
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def login(self, name: str, password: str, address: str | None) -> Identity | None:
        """The identity ``name`` and ``password`` log in as, or None; raises TooManyLogins
        when this address or name failed too often lately."""
        key = hmac.new(self._key, f"{name}\0{password}".encode("utf-8", "surrogatepass"),
                       hashlib.sha256).digest()
        now = time.monotonic()
        with self._lock:
            remembered = self._remembered.get(key)
        if remembered is not None and remembered[0] > now:
            identity = self._accounts.identity_if_unchanged(remembered[1], remembered[2])
            if identity is not None:
                return identity
        counters = [("address", address or "?"), ("user", name)]
        self._refuse_if_flooded(counters, now)
        verified = self._accounts.verify_password(name, password)
        with self._lock:
            if verified is None:
                for counter in counters:
                    self._failures.setdefault(counter, deque()).append(now)
                    self._failures.move_to_end(counter)
                _trim(self._failures)
                return None
            identity, password_hash = verified
            self._remembered[key] = (now + self._cache_seconds, identity.user_id, password_hash)
            self._remembered.move_to_end(key)
            _trim(self._remembered)
        return identity

    def _refuse_if_flooded(self, counters: list[tuple[str, str]], now: float) -> None:
        wait = 0.0
        with self._lock:
            for counter in counters:
                times = self._failures.get(counter)
                if not times:
                    continue
                while times and times[0] <= now - self._window:
                    times.popleft()
                if len(times) >= self._limits[counter[0]]:
                    wait = max(wait, times[0] + self._window - now)
        if wait > 0:
            raise TooManyLogins(max(1, int(wait + 0.999)))


def _trim(entries: OrderedDict) -> None:
    while len(entries) > MAX_ENTRIES:
        entries.popitem(last=False)
