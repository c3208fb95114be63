from collections.abc import AsyncIterator

import pytest_asyncio

from tests.factories import Stack, open_stack


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(db_url: str) -> AsyncIterator[Stack]:
    async with open_stack(db_url) as s:
        yield s
