"""Helpers of the graph-level LLM tests: a Stack wired to the fake server, audit reads."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from server.app import create_app
from tests import sql
from tests.factories import Stack, make_settings, open_stack
from tests.llm.conftest import MODEL
from tests.llm.fake_openai import FakeOpenAI
from tools.llm import LlmGateway
from tools.llm.calls import RetryPolicy


@asynccontextmanager
async def llm_stack(db_url: str, fake: FakeOpenAI, **overrides: Any) -> AsyncIterator[Stack]:
    """A whole helpdesk whose model is the fake server (short timeout, one fast retry)."""
    values: dict[str, Any] = {
        "mode": "hybrid", "openai_model": MODEL, "openai_base_url": fake.base_url,
        "openai_api_key": "test-key", "llm_timeout_s": 0.3, "llm_max_retries": 1,
        "breaker_failures": 100, "daily_token_budget": 10_000_000,
    }
    values.update(overrides)
    async with open_stack(db_url, **values) as stack:
        svc = stack.services
        svc.llm = LlmGateway(svc.settings, svc.db, policy=RetryPolicy(
            retries=svc.settings.llm_max_retries, backoff_s=0.01, max_wait_s=2.0))
        yield stack


async def audit_of(stack: Stack, thread_id: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event_type, result, payload) of a thread's audit rows, oldest first."""
    rows = await sql.rows(stack.services.db, "SELECT * FROM audit_events WHERE thread_id = %(t)s"
                          " ORDER BY id", {"t": thread_id})
    return [(r.event_type, r.result, dict(r.payload)) for r in rows]


async def audit_types(stack: Stack, thread_id: str) -> list[str]:
    """Event types of a thread's audit rows, oldest first."""
    return [t for t, _, _ in await audit_of(stack, thread_id)]


def outcome(result: Any) -> tuple[Any, ...]:
    """What must match between modes: status, intent, tool, reason, ticket category."""
    category = (result.ticket or {}).get("category")
    return result.status, result.intent, result.tool, result.reason, category


@asynccontextmanager
async def app_client(db_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (lifespan running) on the test database, over an ASGI transport."""
    app = create_app(make_settings(database_url=db_url, **overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def dev_identity() -> dict[str, str]:
    """Dev-mode identity headers of a fresh requester."""
    return {"X-User-Id": f"u-{uuid.uuid4().hex[:8]}", "X-Role": "requester",
            "X-Department": "IT"}
