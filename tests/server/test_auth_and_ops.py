"""Identity (JWT and dev headers), health, readiness, metrics, and surviving a database outage."""

import asyncio
import time

import httpx
import psycopg
import pytest

from server.auth import check_dev_mode, is_loopback
from tests import pg
from tests.factories import make_settings
from tests.server.helpers import assert_error, bearer, client_for, who

SECRET = "test-secret-0123456789-abcdefghijklmnop"


async def test_health_ready_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = (await client.get("/readyz")).json()
    assert ready["status"] == "ready" and ready["database"] == "ok" and ready["auth"] == "dev"
    assert ready["mode"] == "rules" and "llm" in ready
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert 'helpdesk_http_requests_total{method="GET",route="/readyz",status="200"}' in r.text


async def test_openapi_documents_every_route_and_the_sse_events(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    paths = set(doc["paths"])
    assert {"/agent", "/agent/stream", "/threads", "/threads/{thread_id}",
            "/threads/{thread_id}/history", "/threads/{thread_id}/resume",
            "/threads/{thread_id}/resume/stream", "/tickets", "/tickets/{ticket_id}",
            "/drafts/{draft_id}", "/audit", "/kb/search", "/kb/documents", "/healthz",
            "/readyz", "/metrics"} <= paths
    stream = doc["paths"]["/agent/stream"]["post"]["responses"]["200"]["content"]
    assert stream["text/event-stream"]["schema"]["$ref"] == "#/components/schemas/SseEvent"
    schemas = doc["components"]["schemas"]
    assert {"MetadataEvent", "StepEvent", "TokenEvent", "InterruptEvent", "ResultEvent",
            "ErrorEvent", "EndEvent", "TurnResult", "ErrorBody"} <= set(schemas)
    for path in doc["paths"].values():
        for op in path.values():
            assert "HTTPValidationError" not in str(op), op


async def test_jwt_mode(db_url: str) -> None:
    async with client_for(db_url, auth_jwt_secret=SECRET) as client:
        assert_error(await client.get("/threads"), 401, "UNAUTHENTICATED")
        assert_error(await client.get("/threads", headers=who()), 401, "UNAUTHENTICATED")
        bad = {"Authorization": "Bearer not.a.jwt"}
        assert_error(await client.get("/threads", headers=bad), 401, "UNAUTHENTICATED")
        expired = bearer(SECRET, "alice", ttl=-10)
        assert "expired" in assert_error(await client.get("/threads", headers=expired),
                                         401, "UNAUTHENTICATED")["message"]
        forged = bearer("another-secret-0123456789-abcdefghij", "alice")
        assert_error(await client.get("/threads", headers=forged), 401, "UNAUTHENTICATED")
        wrong_role = bearer(SECRET, "alice", role="root")
        assert_error(await client.get("/threads", headers=wrong_role), 401, "UNAUTHENTICATED")
        r = await client.post("/agent", json={"message": "你好"}, headers=bearer(SECRET, "alice"))
        assert r.status_code == 200 and r.json()["status"] == "OK"
        assert (await client.get("/readyz")).json()["auth"] == "jwt"


def test_dev_mode_refused_on_public_bind(caplog: pytest.LogCaptureFixture) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    with pytest.raises(RuntimeError, match="AUTH_JWT_SECRET"):
        check_dev_mode(make_settings(), "0.0.0.0")
    check_dev_mode(make_settings(auth_allow_dev_on_public=True), "0.0.0.0")
    check_dev_mode(make_settings(auth_jwt_secret=SECRET), "0.0.0.0")
    check_dev_mode(make_settings(), "127.0.0.1")
    assert "DEV MODE" in caplog.text


def _allow_connections(db_url: str, allow: bool) -> None:
    name = psycopg.conninfo.conninfo_to_dict(db_url)["dbname"]
    with psycopg.connect(pg.admin_url(), autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {str(allow).lower()}")  # type: ignore[arg-type]
        if not allow:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


async def test_database_outage_is_503_and_recovers(client: httpx.AsyncClient, db_url: str) -> None:
    user = who()
    assert (await client.post("/agent", json={"message": "hello"}, headers=user)).status_code == 200
    await asyncio.to_thread(_allow_connections, db_url, False)
    try:
        assert_error(await client.get("/readyz"), 503, "UNAVAILABLE")
        assert_error(await client.get("/tickets", headers=user), 503, "UNAVAILABLE")
        for _ in range(2):  # the pooled connection dies first; then no new one can be opened
            started = time.monotonic()
            r = await client.post("/agent", json={"message": "hello"}, headers=user)
            assert_error(r, 503, "UNAVAILABLE")
            assert time.monotonic() - started < 3  # fails fast, does not wait out a pool timeout
    finally:
        await asyncio.to_thread(_allow_connections, db_url, True)
    assert (await client.get("/readyz")).status_code == 200
    assert (await client.get("/tickets", headers=user)).status_code == 200
    r = await client.post("/agent", json={"message": "hello"}, headers=user)
    assert r.status_code == 200, r.text


async def test_turn_log_carries_node_timings(client: httpx.AsyncClient,
                                             caplog: pytest.LogCaptureFixture) -> None:
    user = who()
    with caplog.at_level("INFO", logger="helpdesk.turn"):
        r = await client.post("/agent", json={"message": "show my tickets"}, headers=user)
    assert r.status_code == 200
    turn = next(rec for rec in caplog.records if rec.name == "helpdesk.turn")
    assert turn.thread_id == r.json()["thread_id"] and turn.actor == user["X-User-Id"]  # type: ignore[attr-defined]
    nodes = turn.nodes  # type: ignore[attr-defined]
    assert {"context_restore", "global_router", "validator", "ticket_tool", "finalize"} <= set(nodes)
    assert all(ms >= 0 for ms in nodes.values()) and sum(nodes.values()) > 0
