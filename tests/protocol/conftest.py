"""Fixtures of the protocol tests: a real `helpdesk serve` on one database for the package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import pg
from tests.server.live import data_dir, serving


@pytest.fixture(scope="package")
def protocol_db() -> Iterator[str]:
    """A throw-away, migrated database shared by the protocol tests."""
    url = pg.create_database("proto")
    yield url
    pg.drop_database(url)


@pytest.fixture(scope="package")
def server(protocol_db: str) -> Iterator[str]:
    """The URL of `helpdesk serve` (rules mode, dev identities) on that database."""
    with serving(data=data_dir(), database_url=protocol_db) as (url, _proc):
        yield url


def headers(user: str) -> dict[str, str]:
    """Dev-mode identity of `user`."""
    return {"X-User-Id": user, "X-Department": "IT", "X-Role": "requester"}


def human(text: str) -> dict[str, object]:
    """A run input as agent-chat-ui sends it (content blocks)."""
    return {"messages": [{"type": "human", "content": [{"type": "text", "text": text}]}]}
