"""Fixtures of the HTTP tests: the real app on this module's database, and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from tests.server.helpers import client_for


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(db_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """httpx over ASGI against `create_app(settings)` with its lifespan running."""
    async with client_for(db_url) as c:
        yield c
