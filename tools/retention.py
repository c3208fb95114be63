"""Retention: what the database keeps, swept by one replica at a time (`sweep`).

Per thread, the latest `keep_checkpoints` checkpoints (with the blobs they reference and their
writes) and the last `keep_messages` transcript lines; threads idle past `thread_ttl_s` go with
all of those. Pending actions past `expires_at` and drafts idle past `draft_ttl_s` become
EXPIRED (audited); audit rows, decided pending actions, idempotency keys and idle rate buckets
age out. So a thread's storage is bounded by its last N turns plus its audit window.
"""

from __future__ import annotations

import logging
from typing import Any

from tools.db.engine import Conn, Database
from tools.settings import Settings

log = logging.getLogger("helpdesk.retention")

SWEEP_LOCK = 72_616_013  # any constant: one sweeper at a time across replicas
VERSION_SET = "retention"  # audit rows the sweeper writes carry this version_set

_EXPIRE_PENDING = """
WITH expired AS (
    UPDATE pending_actions SET status = 'EXPIRED', decided_at = now()
     WHERE status = 'PENDING' AND expires_at < now()
    RETURNING id, thread_id, actor_id, target, tool, trace_id
)
INSERT INTO audit_events (trace_id, thread_id, actor_id, event_type, target, payload, result,
                          version_set)
SELECT coalesce(trace_id, '-'), thread_id, actor_id, 'ACTION_EXPIRED', target,
       jsonb_build_object('pending_action_id', id, 'tool', tool, 'by', 'retention'), 'EXPIRED',
       %(vs)s
  FROM expired
"""

_EXPIRE_DRAFTS = """
WITH expired AS (
    UPDATE ticket_drafts SET status = 'EXPIRED', updated_at = now()
     WHERE status = 'ACTIVE' AND updated_at < now() - make_interval(secs => %(ttl)s)
    RETURNING draft_id, owner_id, thread_id
)
INSERT INTO audit_events (trace_id, thread_id, actor_id, event_type, target, payload, result,
                          version_set)
SELECT '-', thread_id, owner_id, 'DRAFT_EXPIRED', draft_id,
       jsonb_build_object('by', 'retention'), 'EXPIRED', %(vs)s
  FROM expired
"""

# Idle threads nobody holds, with everything the checkpointer and the transcript kept for them.
_DROP_IDLE_THREADS = """
WITH gone AS (
    DELETE FROM threads
     WHERE updated_at < now() - make_interval(secs => %(ttl)s)
       AND (lease_until IS NULL OR lease_until < now())
    RETURNING thread_id
), c AS (
    DELETE FROM checkpoints WHERE thread_id IN (SELECT thread_id FROM gone)
), b AS (
    DELETE FROM checkpoint_blobs WHERE thread_id IN (SELECT thread_id FROM gone)
), w AS (
    DELETE FROM checkpoint_writes WHERE thread_id IN (SELECT thread_id FROM gone)
), m AS (
    DELETE FROM thread_messages WHERE thread_id IN (SELECT thread_id FROM gone)
), r AS (  -- the LangGraph Server protocol's runs (their events go with them: ON DELETE CASCADE)
    DELETE FROM protocol_runs WHERE thread_id IN (SELECT thread_id FROM gone)
)
SELECT count(*) FROM gone
"""

# Older checkpoints than a thread's latest N (per namespace), and their pending writes.
_TRIMMED = """
CREATE TEMP TABLE helpdesk_trimmed (thread_id text, checkpoint_ns text, checkpoint_id text)
    ON COMMIT DROP
"""
_TRIM_CHECKPOINTS = """
WITH old AS (
    SELECT thread_id, checkpoint_ns, checkpoint_id FROM (
        SELECT thread_id, checkpoint_ns, checkpoint_id,
               row_number() OVER (PARTITION BY thread_id, checkpoint_ns
                                  ORDER BY checkpoint_id DESC) AS rn
          FROM checkpoints) ranked
     WHERE rn > %(keep)s
), gone AS (
    DELETE FROM checkpoints c USING old
     WHERE c.thread_id = old.thread_id AND c.checkpoint_ns = old.checkpoint_ns
       AND c.checkpoint_id = old.checkpoint_id
    RETURNING c.thread_id, c.checkpoint_ns, c.checkpoint_id
)
INSERT INTO helpdesk_trimmed SELECT * FROM gone
"""
_TRIM_WRITES = """
DELETE FROM checkpoint_writes w USING helpdesk_trimmed t
 WHERE w.thread_id = t.thread_id AND w.checkpoint_ns = t.checkpoint_ns
   AND w.checkpoint_id = t.checkpoint_id
"""
# Blobs (of the trimmed threads) that no remaining checkpoint references.
_TRIM_BLOBS = """
DELETE FROM checkpoint_blobs b
 WHERE b.thread_id IN (SELECT DISTINCT thread_id FROM helpdesk_trimmed)
   AND NOT EXISTS (SELECT 1 FROM checkpoints c
                    WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
                      AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)
"""
_TRIM_MESSAGES = """
DELETE FROM thread_messages m USING (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY thread_id ORDER BY id DESC) AS rn
                      FROM thread_messages) ranked
     WHERE rn > %(keep)s) old
 WHERE m.id = old.id
"""
_AGE_OUT = {
    "audit_events": "DELETE FROM audit_events WHERE created_at < now() - make_interval(secs => %(s)s)",
    "pending_actions": "DELETE FROM pending_actions WHERE status <> 'PENDING' "
                       "AND created_at < now() - make_interval(secs => %(s)s)",
    # finished protocol runs and (cascading) their kept stream events
    "protocol_runs": "DELETE FROM protocol_runs WHERE status NOT IN ('pending', 'running') "
                     "AND updated_at < now() - make_interval(secs => %(s)s)",
}
_AGE_KEYS = """
DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => %(s)s)
   AND NOT (state = 'running' AND lease_until > now())
"""
_AGE_BUCKETS = "DELETE FROM rate_buckets WHERE updated_at < now() - interval '1 day'"


async def _count(conn: Conn, query: str, params: dict[str, Any] | None = None) -> int:
    cur = await conn.execute(query, params)
    return int(cur.rowcount if cur.rowcount >= 0 else 0)


async def _scalar(conn: Conn, query: str, params: dict[str, Any]) -> int:
    row = await (await conn.execute(query, params)).fetchone()
    return int(next(iter(row.values()))) if row else 0


async def sweep_on(conn: Conn, settings: Settings) -> dict[str, int]:
    """Apply the whole policy on `conn` (inside the caller's transaction); rows touched."""
    vs = {"vs": VERSION_SET}
    done = {
        "pending_expired": await _count(conn, _EXPIRE_PENDING, vs),
        "drafts_expired": await _count(conn, _EXPIRE_DRAFTS, {**vs, "ttl": settings.draft_ttl_s}),
        "threads_deleted": await _scalar(conn, _DROP_IDLE_THREADS, {"ttl": settings.thread_ttl_s}),
    }
    await conn.execute(_TRIMMED)
    done["checkpoints_deleted"] = await _count(conn, _TRIM_CHECKPOINTS,
                                               {"keep": settings.keep_checkpoints})
    done["writes_deleted"] = await _count(conn, _TRIM_WRITES)
    done["blobs_deleted"] = await _count(conn, _TRIM_BLOBS)
    done["messages_deleted"] = await _count(conn, _TRIM_MESSAGES, {"keep": settings.keep_messages})
    for table, query in _AGE_OUT.items():
        done[f"{table}_deleted"] = await _count(conn, query, {"s": settings.audit_retention_s})
    done["idempotency_keys_deleted"] = await _count(
        conn, _AGE_KEYS, {"s": settings.idempotency_retention_s})
    done["rate_buckets_deleted"] = await _count(conn, _AGE_BUCKETS)
    return done


async def sweep(db: Database, settings: Settings) -> dict[str, int] | None:
    """One sweep, in one transaction; None when another process is sweeping right now."""
    async with db.connection() as conn, conn.transaction():
        row = await (await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok",
                                        (SWEEP_LOCK,))).fetchone()
        if not (row and row["ok"]):
            return None
        done = await sweep_on(conn, settings)
    log.info("retention sweep", extra={"rows": done})
    return done


_LIMITS = """
INSERT INTO helpdesk_limits (name, value)
VALUES ('tickets_per_day', %(tickets)s), ('drafts_per_day', %(drafts)s)
ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
 WHERE helpdesk_limits.value IS DISTINCT FROM EXCLUDED.value
"""


async def publish_limits(db: Database, settings: Settings) -> None:
    """Write the daily creation caps where the database's insert triggers read them."""
    async with db.connection() as conn:
        await conn.execute(_LIMITS, {"tickets": settings.tickets_per_day,
                                     "drafts": settings.drafts_per_day})
