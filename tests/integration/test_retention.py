"""Retention: after a sweep, each table holds what the policy keeps, and threads still resume."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest_asyncio

from tests.factories import Stack, actor, open_stack
from tests.server.live import HELPDESK, _env
from tools import retention
from tools.domain import Actor

KEEP, MESSAGES = 3, 4


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(db_url: str) -> AsyncIterator[Stack]:
    async with open_stack(db_url, keep_checkpoints=KEEP, keep_messages=MESSAGES,
                          thread_ttl_s=3600, audit_retention_s=7200, draft_ttl_s=3600) as s:
        yield s


async def _one(stack: Stack, sql: str, *args: Any) -> Any:
    async with stack.services.db.connection() as conn:
        row = await (await conn.execute(sql, args)).fetchone()  # type: ignore[arg-type]
    return next(iter(row.values())) if row else None


async def _sql(stack: Stack, sql: str, *args: Any) -> None:
    async with stack.services.db.connection() as conn:
        await conn.execute(sql, args)  # type: ignore[arg-type]


async def _pending(stack: Stack, who: Actor) -> Any:
    made = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    asked = await stack.turn(who, "escalate it please", thread_id=made.thread_id)
    assert asked.status == "NEED_CONFIRMATION"
    return asked


async def test_sweep_applies_the_policy_and_threads_resume(stack: Stack) -> None:
    who = actor()
    busy = (await stack.turn(who, "hi")).thread_id
    for _ in range(9):
        await stack.turn(who, "hi", thread_id=busy)
    asked = await _pending(stack, who)
    await _sql(stack, "UPDATE pending_actions SET expires_at = now() - interval '1 minute' "
                      "WHERE thread_id = %s", asked.thread_id)
    draft = await stack.turn(who, "I need to open a ticket")
    await _sql(stack, "UPDATE ticket_drafts SET updated_at = now() - interval '2 hours' "
                      "WHERE draft_id = %s", draft.draft["draft_id"])
    idle = (await stack.turn(who, "hi")).thread_id
    await _sql(stack, "UPDATE threads SET updated_at = now() - interval '2 hours' "
                      "WHERE thread_id = %s", idle)
    await _sql(stack, "UPDATE audit_events SET created_at = now() - interval '3 hours' "
                      "WHERE thread_id = %s", busy)
    await _sql(stack, "INSERT INTO idempotency_keys (user_id, action_id, request_hash, state, "
                      "created_at) VALUES (%s, 'old', 'h', 'done', now() - interval '3 days')",
               who.user_id)

    done = await retention.sweep(stack.services.db, stack.services.settings)
    assert done is not None and done["threads_deleted"] == 1 and done["pending_expired"] == 1

    most = await _one(stack, "SELECT max(n) FROM (SELECT count(*) AS n FROM checkpoints "
                             "GROUP BY thread_id, checkpoint_ns) c")
    assert most == KEEP
    assert await _one(stack, "SELECT count(*) FROM checkpoint_blobs b WHERE NOT EXISTS ("
                             "SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id AND "
                             "c.checkpoint_ns = b.checkpoint_ns AND "
                             "c.checkpoint -> 'channel_versions' ->> b.channel = b.version)") == 0
    assert await _one(stack, "SELECT count(*) FROM checkpoint_writes w WHERE NOT EXISTS ("
                             "SELECT 1 FROM checkpoints c WHERE c.thread_id = w.thread_id AND "
                             "c.checkpoint_ns = w.checkpoint_ns AND "
                             "c.checkpoint_id = w.checkpoint_id)") == 0
    assert await _one(stack, "SELECT count(*) FROM thread_messages WHERE thread_id = %s",
                      busy) == MESSAGES
    for table in ("threads", "checkpoints", "checkpoint_blobs", "checkpoint_writes",
                  "thread_messages"):
        assert await _one(stack, f"SELECT count(*) FROM {table} WHERE thread_id = %s", idle) == 0
    assert await _one(stack, "SELECT status FROM pending_actions WHERE thread_id = %s",
                      asked.thread_id) == "EXPIRED"
    assert await _one(stack, "SELECT status FROM ticket_drafts WHERE draft_id = %s",
                      draft.draft["draft_id"]) == "EXPIRED"
    assert await _one(stack, "SELECT count(*) FROM audit_events WHERE event_type IN "
                             "('ACTION_EXPIRED', 'DRAFT_EXPIRED') AND version_set = %s",
                      retention.VERSION_SET) == 2
    assert await _one(stack, "SELECT count(*) FROM audit_events WHERE thread_id = %s", busy) == 0
    assert await _one(stack, "SELECT count(*) FROM idempotency_keys WHERE action_id = 'old'") == 0

    again = await stack.turn(who, "hi", thread_id=busy)  # trimmed threads go on
    assert again.status == "OK"
    history = await stack.views.history(busy, who)
    assert 1 <= len(history) <= KEEP + 1
    late = await stack.turn(who, "yes", thread_id=asked.thread_id)
    assert (late.status, late.reason) == ("REJECTED", "CONFIRMATION_EXPIRED")


async def test_one_sweeper_at_a_time(stack: Stack) -> None:
    with psycopg.connect(stack.services.db.url) as other:  # another replica is sweeping
        other.execute("SELECT pg_advisory_xact_lock(%s)", (retention.SWEEP_LOCK,))
        assert await retention.sweep(stack.services.db, stack.services.settings) is None
    assert await retention.sweep(stack.services.db, stack.services.settings) is not None


def test_helpdesk_maintenance_sweeps_once(db_url: str) -> None:
    r = subprocess.run([str(HELPDESK), "maintenance"], env=_env(db_url, {}), capture_output=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    done = json.loads(r.stdout)
    assert {"checkpoints_deleted", "threads_deleted", "pending_expired"} <= set(done)
