"""Shared fixtures: a real Postgres database per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests import pg
from tools.db.engine import Database


@pytest.fixture(scope="module")
def db_url() -> Iterator[str]:
    """A throw-away, migrated database for this test module."""
    url = pg.create_database()
    yield url
    pg.drop_database(url)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def database(db_url: str) -> AsyncIterator[Database]:
    """An engine on this module's database."""
    db = Database.connect(db_url, pool_size=5)
    yield db
    await db.close()
