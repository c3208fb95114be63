"""Thread rows (owner, status, run lease) and the transcript; nothing decided here."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tools.crud.audit import INSERT_EVENTS, events_json
from tools.db.engine import Db, execute, fetch_one
from tools.db.models import Thread, ThreadMessage

# Create the thread holding the lease, or take the lease of an existing one if the caller owns
# it and no live run holds it. One statement, so two racing runs cannot both get it.
# It also reads the id of the thread's latest checkpoint (LangGraph's checkpoints table), unless
# that checkpoint has pending writes: the checkpointer serves a checkpoint it wrote itself from
# memory only if it is still the latest, and this read, taken with the lease, is the check.
_ACQUIRE = """
WITH lease AS (
INSERT INTO threads AS t (thread_id, owner_id, department, title, lease_until, lease_run_id,
                          last_trace_id)
VALUES (%(tid)s, %(owner)s, %(dept)s, %(title)s, now() + make_interval(secs => %(lease)s::int),
        %(run)s, %(trace)s)
ON CONFLICT (thread_id) DO UPDATE
   SET lease_until = EXCLUDED.lease_until, lease_run_id = EXCLUDED.lease_run_id,
       last_trace_id = EXCLUDED.last_trace_id, updated_at = now()
 WHERE t.owner_id = EXCLUDED.owner_id AND (t.lease_until IS NULL OR t.lease_until < now())
RETURNING t.status, t.settled
)
SELECT lease.status, lease.settled,
       CASE WHEN NOT EXISTS (SELECT 1 FROM checkpoint_writes w
                              WHERE w.thread_id = %(tid)s AND w.checkpoint_ns = ''
                                AND w.checkpoint_id = latest.checkpoint_id)
            THEN latest.checkpoint_id END AS latest_checkpoint
  FROM lease
  LEFT JOIN LATERAL (SELECT c.checkpoint_id FROM checkpoints c
                      WHERE c.thread_id = %(tid)s AND c.checkpoint_ns = ''
                      ORDER BY c.checkpoint_id DESC LIMIT 1) AS latest ON true
"""

# Only the run holding the lease can give it back. updated_at was set when the lease was taken.
_RELEASE = """
UPDATE threads SET lease_until = NULL, lease_run_id = NULL, status = %(status)s,
       settled = %(settled)s
 WHERE thread_id = %(tid)s AND lease_run_id = %(run)s
"""


class Lease(NamedTuple):
    """A run lease just taken: the thread's status, and whether its latest checkpoint ended a
    turn (`settled`: false for a new thread, or after a run that stopped before finalize)."""

    status: str
    settled: bool
    latest_checkpoint: str | None
    """The id of the thread's latest checkpoint, if it has no pending writes."""


async def acquire_lease(
    db: Db, *, thread_id: str, owner_id: str, department: str, title: str,
    run_id: str, trace_id: str, lease_s: int,
) -> Lease | None:
    """Take the run lease (creating the thread if new), or None if not taken."""
    params = {"tid": thread_id, "owner": owner_id, "dept": department, "title": title[:120],
              "run": run_id, "trace": trace_id, "lease": lease_s}
    row = await fetch_one(db, _ACQUIRE, params)
    if row is None:
        return None
    return Lease(str(row["status"]), bool(row["settled"]), row["latest_checkpoint"])


def release_statement(*, thread_id: str, run_id: str, status: str,
                      settled: bool) -> tuple[str, dict[str, Any]]:
    """The statement that gives the lease back and records the thread's status after the run.

    Only the run's lease holder matches, so once one release ran, later ones are no-ops.
    """
    return _RELEASE, {"tid": thread_id, "run": run_id, "status": status, "settled": settled}


def unsettle_statement(*, thread_id: str) -> tuple[str, dict[str, Any]]:
    """The statement that marks a thread's latest checkpoint as not the end of a turn."""
    return "UPDATE threads SET settled = false WHERE thread_id = %(tid)s", {"tid": thread_id}


async def release_lease(db: Db, *, thread_id: str, run_id: str, status: str,
                        settled: bool) -> None:
    """Give the lease back and record the thread's status after the run."""
    await execute(db, *release_statement(thread_id=thread_id, run_id=run_id, status=status,
                                         settled=settled))


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
_RECORD_TURN = f"""
WITH audit AS ({INSERT_EVENTS})
INSERT INTO thread_messages (thread_id, role, content, trace_id)
SELECT thread_id, role, content, trace_id
  FROM jsonb_to_recordset(%(messages)s::jsonb) AS m(
       thread_id text, role text, content text, trace_id text)
"""


def record_statement(*, events: list[dict[str, Any]], messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The statement that appends a turn's audit events and transcript lines together."""
    return _RECORD_TURN, {"events": events_json(events), "messages": json.dumps(messages)}


async def record_turn(db: Db, *, events: list[dict[str, Any]], messages: list[dict[str, Any]]) -> None:
    """Append a turn's audit events and transcript lines together."""
    await execute(db, *record_statement(events=events, messages=messages))
