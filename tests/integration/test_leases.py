"""Leases that lapse unless renewed: tools.crud.leases.Heartbeat against real Postgres."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tools.crud import idempotency, threads
from tools.crud.leases import Heartbeat
from tools.db.engine import Database
from tools.errors import ThreadBusy

TTL = 0.6


async def _take(db: Database, tid: str, run: str) -> threads.Lease | None:
    async with db.connection() as c:
        return await threads.acquire_lease(c, thread_id=tid, owner_id="u-lease", department="IT",
                                           title="", run_id=run, trace_id="t", lease_s=TTL)


async def test_a_renewed_lease_holds_and_a_dropped_one_lapses(database: Database) -> None:
    tid, beat = str(uuid.uuid4()), Heartbeat(database, ttl_s=TTL)
    assert await _take(database, tid, "r1") is not None
    beat.hold_run("r1", tid)
    await asyncio.sleep(TTL * 3)  # renewed all along
    assert await _take(database, tid, "r2") is None
    beat.drop_run("r1")
    await asyncio.sleep(TTL * 1.5)
    assert await _take(database, tid, "r3") is not None  # lapsed: taken over


async def test_an_idempotency_claim_lives_while_renewed(database: Database) -> None:
    beat, action = Heartbeat(database, ttl_s=TTL), f"a-{uuid.uuid4().hex[:6]}"

    async def claim() -> idempotency.StoredResponse | None:
        async with database.transaction() as s:
            return await idempotency.claim(s, user_id="u-lease", action_id=action,
                                           request_hash="h", ttl_s=TTL)

    assert await claim() is None
    beat.hold_key("u-lease", action)
    await asyncio.sleep(TTL * 3)
    with pytest.raises(ThreadBusy):
        await claim()
    beat.drop_key("u-lease", action)
    await asyncio.sleep(TTL * 1.5)
    assert await claim() is None  # the holder is gone: the retry takes it over
