"""Text Postgres cannot store (lone UTF-16 surrogates, NUL) is a 422 on every route, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.server.helpers import who

BAD = ["hi \ud800", "\udfff", "a\x00b"]
THREAD = "t-hygiene-1"


def _raw(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()  # ASCII JSON: a lone surrogate travels as "\ud800"


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any],
                role: str = "requester") -> httpx.Response:
    return await client.post(path, content=_raw(body), headers={
        **who(role=role), "Content-Type": "application/json"})


def _bodies(bad: str) -> list[tuple[str, dict[str, Any], str]]:
    doc = {"doc_id": "hygiene", "title": "t", "body": "b", "lang": "en", "tags": []}
    return [
        ("/agent", {"message": bad}, "requester"),
        ("/agent/stream", {"message": bad}, "requester"),
        ("/agent", {"message": "ok", "thread_id": bad}, "requester"),
        ("/agent", {"message": "ok", "action_id": bad}, "requester"),
        ("/agent", {"thread_id": THREAD, "confirm_token": bad}, "requester"),
        (f"/threads/{THREAD}/resume", {"decision": "confirm", "confirm_token": bad}, "requester"),
        (f"/threads/{THREAD}/resume/stream", {"decision": "cancel", "action_id": bad}, "requester"),
        ("/kb/documents", {**doc, "title": bad}, "admin"),
        ("/kb/documents", {**doc, "body": bad}, "admin"),
        ("/kb/documents", {**doc, "tags": [bad]}, "admin"),
    ]


@pytest.mark.parametrize("bad", BAD)
async def test_bad_text_in_any_string_field_is_invalid_input(
        client: httpx.AsyncClient, bad: str) -> None:
    for path, body, role in _bodies(bad):
        r = await _post(client, path, body, role)
        assert r.status_code == 422, (path, body, r.text)
        assert r.json()["error"]["code"] == "INVALID_INPUT", (path, r.text)
        assert r.json()["error"]["retryable"] is False


async def test_bad_text_in_a_query_is_replaced_not_stored(client: httpx.AsyncClient) -> None:
    r = await client.get("/kb/search?q=vpn%ED%A0%80%00", headers=who())
    assert r.status_code in (200, 422), r.text  # decoded with U+FFFD; NUL refused, never a 500
    r = await client.get("/audit?trace_id=%ED%A0%80", headers=who())
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_INPUT"


async def test_bytes_that_are_not_utf8_are_invalid_input(client: httpx.AsyncClient) -> None:
    r = await client.post("/agent", content=b'{"message": "caf\xe9"}',
                          headers={**who(), "Content-Type": "application/json"})
    assert r.status_code in (400, 422) and r.json()["error"]["code"] == "INVALID_INPUT", r.text


async def test_the_thread_still_works_after_bad_input(client: httpx.AsyncClient) -> None:
    user = who()
    bad = await client.post("/agent", content=_raw({"message": "hi \ud800"}),
                            headers={**user, "Content-Type": "application/json"})
    assert bad.status_code == 422
    ok = await client.post("/agent", json={"message": "hi"}, headers=user)
    assert ok.status_code == 200 and ok.json()["status"] == "OK"
