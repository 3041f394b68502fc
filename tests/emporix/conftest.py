"""Fixtures of the Emporix Media tests: tokens bound to the tenant ``mytenant``."""
from __future__ import annotations

import pytest

from .helpers import MANAGE, READ, bearer


@pytest.fixture
def manage(app) -> dict[str, str]:
    """Headers of a token of ``mytenant`` with media.asset_manage."""
    return bearer(app, MANAGE)


@pytest.fixture
def read(app) -> dict[str, str]:
    """Headers of a token of ``mytenant`` with media.asset_read only."""
    return bearer(app, READ)
