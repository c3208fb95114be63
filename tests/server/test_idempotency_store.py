"""tools/crud/idempotency.py against real Postgres."""

import pytest

from tools.crud import idempotency
from tools.db.engine import Database
from tools.errors import IdempotencyConflict, ThreadBusy


async def _claim(db: Database, action: str, digest: str = "h1", stale_s: int = 120):
    async with db.transaction() as s:
        return await idempotency.claim(s, user_id="u1", action_id=action, request_hash=digest,
                                       stale_s=stale_s)


async def test_first_claim_runs_then_repeat_replays(database: Database) -> None:
    assert await _claim(database, "a1") is None
    with pytest.raises(ThreadBusy):
        await _claim(database, "a1")
    async with database.transaction() as s:
        await idempotency.complete(s, user_id="u1", action_id="a1", status_code=200,
                                   body={"ok": True})
    stored = await _claim(database, "a1")
    assert stored is not None and stored.status_code == 200 and stored.body == {"ok": True}


async def test_other_body_conflicts(database: Database) -> None:
    assert await _claim(database, "a2") is None
    with pytest.raises(IdempotencyConflict):
        await _claim(database, "a2", digest="other")


async def test_released_claim_can_run_again(database: Database) -> None:
    assert await _claim(database, "a3") is None
    async with database.transaction() as s:
        await idempotency.release(s, user_id="u1", action_id="a3")
    assert await _claim(database, "a3") is None


async def test_stale_running_claim_and_expired_keys_are_taken_over(database: Database) -> None:
    assert await _claim(database, "a4") is None
    async with database.transaction() as s:
        await s.execute("UPDATE idempotency_keys SET created_at = now() - interval '1 hour' "
                        "WHERE action_id = 'a4'")
    assert await _claim(database, "a4", stale_s=60) is None
    async with database.transaction() as s:
        await idempotency.complete(s, user_id="u1", action_id="a4", status_code=200, body={})
        await s.execute("UPDATE idempotency_keys SET created_at = now() - interval '3 days' "
                        "WHERE action_id = 'a4'")
        assert await idempotency.purge_expired(s) == 1
    assert await _claim(database, "a4", digest="new") is None


async def test_keys_are_per_user(database: Database) -> None:
    assert await _claim(database, "shared") is None
    async with database.transaction() as s:
        assert await idempotency.claim(s, user_id="u2", action_id="shared", request_hash="x",
                                       stale_s=120) is None
