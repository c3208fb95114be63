"""Helpers for HTTP tests: identities, SSE parsing, app/client builders."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
from fastapi import FastAPI

from server.app import create_app
from tests.factories import make_settings
from tools.settings import Settings


def who(user: str | None = None, role: str = "requester", department: str = "IT") -> dict[str, str]:
    """Dev-mode identity headers for a (fresh, unless named) user."""
    return {"X-User-Id": user or f"u-{uuid.uuid4().hex[:8]}", "X-Role": role,
            "X-Department": department}


def bearer(secret: str, sub: str, *, role: str = "requester", department: str = "IT",
           ttl: int = 300) -> dict[str, str]:
    """A JWT Authorization header."""
    claims = {"sub": sub, "role": role, "department": department, "exp": int(time.time()) + ttl}
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


def sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) pairs of an SSE body; comments (pings) are skipped."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln and not ln.startswith(":")]
        name = next((ln[6:].strip() for ln in lines if ln.startswith("event:")), "message")
        data = "\n".join(ln[5:].lstrip() for ln in lines if ln.startswith("data:"))
        if lines:
            events.append((name, json.loads(data)))
    return events


def server_settings(db_url: str, **overrides: Any) -> Settings:
    """Settings for an in-process app on the test database (rules mode, dev identity)."""
    return make_settings(database_url=db_url, **overrides)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give an httpx client over the ASGI transport."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                     timeout=30) as client:
            yield client


@asynccontextmanager
async def client_for(db_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh app built by `create_app` on `db_url`."""
    async with running(create_app(server_settings(db_url, **overrides))) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the API.md error body with this status and code."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code and isinstance(error["retryable"], bool), body
    assert error["trace_id"] == response.headers["x-trace-id"]
    assert "Traceback" not in response.text
    return dict(error)
