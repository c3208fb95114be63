"""Thread rows (owner, status, run lease) and the transcript; nothing decided here."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tools.db.engine import Conn
from tools.db.models import Thread, ThreadMessage

# Create the thread holding the lease, or take the lease of an existing one if the caller owns
# it and no live run holds it. One statement, so two racing runs cannot both get it.
_ACQUIRE = """
INSERT INTO threads AS t (thread_id, owner_id, department, title, lease_until, lease_run_id,
                          last_trace_id)
VALUES (%(tid)s, %(owner)s, %(dept)s, %(title)s, now() + make_interval(secs => %(lease)s::int),
        %(run)s, %(trace)s)
ON CONFLICT (thread_id) DO UPDATE
   SET lease_until = EXCLUDED.lease_until, lease_run_id = EXCLUDED.lease_run_id,
       last_trace_id = EXCLUDED.last_trace_id, updated_at = now()
 WHERE t.owner_id = EXCLUDED.owner_id AND (t.lease_until IS NULL OR t.lease_until < now())
RETURNING t.status
"""

# Only the run holding the lease can give it back. updated_at was set when the lease was taken.
_RELEASE = """
UPDATE threads SET lease_until = NULL, lease_run_id = NULL, status = %(status)s
 WHERE thread_id = %(tid)s AND lease_run_id = %(run)s
"""


async def acquire_lease(
    conn: Conn, *, thread_id: str, owner_id: str, department: str, title: str,
    run_id: str, trace_id: str, lease_s: int,
) -> str | None:
    """Take the run lease (creating the thread if new); its status, or None if not taken."""
    params = {"tid": thread_id, "owner": owner_id, "dept": department, "title": title[:120],
              "run": run_id, "trace": trace_id, "lease": lease_s}
    row = await (await conn.execute(_ACQUIRE, params)).fetchone()
    return None if row is None else str(row["status"])


async def release_lease(conn: Conn, *, thread_id: str, run_id: str, status: str) -> None:
    """Give the lease back and record the thread's status after the run."""
    await conn.execute(_RELEASE, {"tid": thread_id, "run": run_id, "status": status})


async def get_thread(session: AsyncSession, *, thread_id: str) -> Thread | None:
    """One thread row."""
    return await session.get(Thread, thread_id)


async def list_threads(
    session: AsyncSession, *, owner_id: str, status: str | None = None, limit: int = 50
) -> list[Thread]:
    """A user's threads, newest first."""
    query = select(Thread).where(Thread.owner_id == owner_id)
    if status:
        query = query.where(Thread.status == status)
    return list((await session.scalars(query.order_by(Thread.updated_at.desc()).limit(limit))).all())


async def add_messages(session: AsyncSession, *, rows: list[dict[str, Any]]) -> None:
    """Append transcript lines (dicts with thread_id, role, content, trace_id)."""
    if rows:
        await session.execute(insert(ThreadMessage), rows)


async def list_messages(session: AsyncSession, *, thread_id: str, limit: int = 200) -> list[ThreadMessage]:
    """The last `limit` transcript lines of a thread, oldest first."""
    query = (select(ThreadMessage).where(ThreadMessage.thread_id == thread_id)
             .order_by(ThreadMessage.id.desc()).limit(limit))
    return list(reversed((await session.scalars(query)).all()))


# A turn's audit events and transcript lines in one statement: atomic, one round trip.
_RECORD_TURN = """
WITH audit AS (
    INSERT INTO audit_events (trace_id, thread_id, actor_id, event_type, target, payload, result,
                              version_set, usage, latency_ms, created_at)
    SELECT trace_id, thread_id, actor_id, event_type, target, payload, result, version_set,
           usage, latency_ms, coalesce(created_at, now())
      FROM jsonb_to_recordset(%(events)s::jsonb) AS e(
           trace_id text, thread_id text, actor_id text, event_type text, target text,
           payload jsonb, result text, version_set text, usage jsonb, latency_ms float8,
           created_at timestamptz)
)
INSERT INTO thread_messages (thread_id, role, content, trace_id)
SELECT thread_id, role, content, trace_id
  FROM jsonb_to_recordset(%(messages)s::jsonb) AS m(
       thread_id text, role text, content text, trace_id text)
"""


async def record_turn(
    conn: Conn, *, events: list[dict[str, Any]],
    messages: list[dict[str, Any]],
) -> None:
    """Append a turn's audit events and transcript lines together."""
    await conn.execute(_RECORD_TURN, {"events": json.dumps(events, default=str),
                                      "messages": json.dumps(messages)})
