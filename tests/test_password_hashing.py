"""Passwords are stored as scrypt hashes of the real cost (the test suite lowers it for its
own process; see tests/conftest.py), and any cost recorded in a hash verifies."""
from __future__ import annotations

import subprocess
import sys

from repository.accounts import check_password, hash_password


def test_a_server_hashes_passwords_with_scrypt_at_n_16384():
    done = subprocess.run(
        [sys.executable, "-c", "from repository.accounts import hash_password; "
                               "print(hash_password('secret'))"],
        capture_output=True, text=True, check=True, timeout=60)
    stored = done.stdout.strip()
    assert stored.startswith("scrypt$16384$8$1$")
    assert check_password(stored, "secret") and not check_password(stored, "Secret")


def test_a_hash_verifies_whatever_cost_it_records():
    stored = hash_password("pw")
    assert check_password(stored, "pw") and not check_password(stored, "wrong")
