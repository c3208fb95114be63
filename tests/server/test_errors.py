"""The error taxonomy over HTTP: every code, FastAPI's own failures, and no stray bodies."""

import httpx
import pytest
from fastapi import FastAPI

from tests.server.helpers import assert_error, who
from tools import errors as e

RAISED = [
    (e.InvalidInput, 422, False), (e.Unauthenticated, 401, False), (e.Forbidden, 403, False),
    (e.NotFound, 404, False), (e.ThreadBusy, 409, True), (e.IdempotencyConflict, 409, False),
    (e.BudgetExhausted, 402, False), (e.QuotaExceeded, 429, True),
    (e.UpstreamTimeout, 504, True), (e.UpstreamUnavailable, 503, True),
    (e.Unavailable, 503, True), (e.HelpdeskError, 500, True),
]


@pytest.fixture(scope="module")
def app(client: httpx.AsyncClient) -> FastAPI:
    app = client._transport.app  # type: ignore[attr-defined]

    async def boom(kind: str) -> None:
        if kind == "unexpected":
            raise RuntimeError("secret internals")
        raise next(c for c, _, _ in RAISED if c.__name__ == kind)("told", retry_after=3)

    if not any(getattr(r, "path", "") == "/_test/raise/{kind}" for r in app.routes):
        app.add_api_route("/_test/raise/{kind}", boom)
    return app


@pytest.mark.parametrize(("kind", "status", "retryable"), RAISED)
async def test_each_code_maps_to_status_and_retryable(
    app: FastAPI, client: httpx.AsyncClient, kind: type, status: int, retryable: bool,
) -> None:
    r = await client.get(f"/_test/raise/{kind.__name__}")
    error = assert_error(r, status, kind.code.value)
    assert error["retryable"] is retryable and error["message"] == "told"
    if kind is e.QuotaExceeded:
        assert r.headers["retry-after"] == "3"


async def test_unexpected_exception_is_internal_without_details(
    app: FastAPI, client: httpx.AsyncClient,
) -> None:
    r = await client.get("/_test/raise/unexpected")
    error = assert_error(r, 500, "INTERNAL")
    assert "secret" not in r.text and error["retryable"] is True


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/agent", content=b'{"message": "hi",', headers={
        **who(), "Content-Type": "application/json"})
    assert_error(r, 400, "INVALID_INPUT")


@pytest.mark.parametrize("body", [
    {"message": 42}, {"message": ["a"]}, {"message": "x" * 5000}, {"message": ""},
    {"message": "   "}, {"message": "hi", "mode": "turbo"}, {},
    {"message": "hi", "ticket_id": "TCK-1"}, {"message": "hi", "draft_id": "drf-2026-abcdef"},
    {"message": "hi", "thread_id": "has spaces"}, {"message": "nul\u0000byte"},
    {"message": "hi", "action_id": ""},
])
async def test_invalid_agent_bodies_are_422(client: httpx.AsyncClient, body: dict) -> None:
    r = await client.post("/agent", json=body, headers=who())
    error = assert_error(r, 422, "INVALID_INPUT")
    assert "detail" not in r.json()
    assert error["message"]


async def test_huge_body_is_413(client: httpx.AsyncClient) -> None:
    r = await client.post("/agent", json={"message": "x" * (2 << 20)}, headers=who())
    assert_error(r, 413, "INVALID_INPUT")


async def test_json_that_is_not_an_object_is_422(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/agent", json=["hi"], headers=who()), 422, "INVALID_INPUT")


@pytest.mark.parametrize("path", [
    "/tickets/TCK-2026", "/tickets/tck-2026-abcdef", "/drafts/DRF-XX", "/threads/a%20b",
    "/tickets?limit=0", "/tickets?status=NOPE", "/threads?limit=abc", "/kb/search?q=",
    "/audit?ticket_id=nope",
])
async def test_bad_ids_and_params_are_422(client: httpx.AsyncClient, path: str) -> None:
    assert_error(await client.get(path, headers=who()), 422, "INVALID_INPUT")


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/nope"), 404, "NOT_FOUND")
    assert_error(await client.delete("/agent"), 405, "INVALID_INPUT")


async def test_bad_dev_identity_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/threads", headers={"X-User-Id": "a b c"})
    assert_error(r, 401, "UNAUTHENTICATED")
    r = await client.get("/threads", headers={"X-Role": "root"})
    assert_error(r, 401, "UNAUTHENTICATED")
    assert r.headers["www-authenticate"] == "Bearer"


async def test_trace_id_header_on_every_response(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and len(r.headers["x-trace-id"]) == 32
    r = await client.get("/healthz", headers={"X-Trace-Id": "my-trace-0001"})
    assert r.headers["x-trace-id"] == "my-trace-0001"
    r = await client.get("/healthz", headers={"X-Trace-Id": "bad trace"})
    assert r.headers["x-trace-id"] != "bad trace"


async def test_forbidden_for_non_admin_kb_write(client: httpx.AsyncClient) -> None:
    doc = {"doc_id": "x-1", "title": "t", "body": "b", "lang": "en"}
    assert_error(await client.post("/kb/documents", json=doc, headers=who()), 403, "FORBIDDEN")
