"""Thread rows (owner, status, run lease) and the transcript; nothing decided here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from tools.crud.audit import INSERT_EVENTS, events_json
from tools.db.engine import Conn, execute, fetch_all, fetch_one
from tools.errors import QuotaExceeded


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation; owned by the user who started it. Holds the cross-process run lease."""

    thread_id: str
    owner_id: str
    department: str
    title: str
    status: str  # idle|interrupted|busy
    lease_until: datetime | None
    lease_run_id: str | None
    last_trace_id: str | None
    settled: bool  # its latest checkpoint ended a turn
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One line of a thread's transcript (kept here, not in the checkpoint, so state stays small)."""

    id: int
    thread_id: str
    role: str  # user|assistant
    content: str
    trace_id: str | None
    created_at: datetime


_THREAD = ("thread_id, owner_id, department, title, status, lease_until, lease_run_id, "
           "last_trace_id, settled, created_at, updated_at")
_MESSAGE = "id, thread_id, role, content, trace_id, created_at"

# Create the thread holding the lease, or take the lease of an existing one if the caller owns
# it and no live run holds it (a lease lapses `lease` seconds after its holder last renewed it:
# tools.crud.leases). One statement, so two racing runs cannot both get it.
# It first takes a token from the caller's rate bucket (rate_buckets; skipped when `rate` is 0):
# no token, no lease, and `allowed` is false with `wait_s` until the next token.
# It also reads the id of the thread's latest checkpoint (LangGraph's checkpoints table), unless
# that checkpoint has pending writes: the checkpointer serves a checkpoint it wrote itself from
# memory only if it is still the latest, and this read, taken with the lease, is the check.
# And the `effect` an earlier attempt of the same action_id committed, if any (idempotency_keys).
_ACQUIRE = """
WITH bucket AS (
INSERT INTO rate_buckets AS b (user_id, tokens, updated_at)
SELECT %(owner)s, %(burst)s::float8 - 1, now() WHERE %(rate)s::float8 > 0
ON CONFLICT (user_id) DO UPDATE
   SET tokens = least(%(burst)s::float8, b.tokens
                      + extract(epoch FROM now() - b.updated_at) * %(rate)s::float8) - 1,
       updated_at = now()
 WHERE least(%(burst)s::float8, b.tokens
             + extract(epoch FROM now() - b.updated_at) * %(rate)s::float8) >= 1
RETURNING 1
), lease AS (
INSERT INTO threads AS t (thread_id, owner_id, department, title, lease_until, lease_run_id,
                          last_trace_id)
SELECT %(tid)s, %(owner)s, %(dept)s, %(title)s,
       now() + make_interval(secs => %(lease)s::float8), %(run)s, %(trace)s
 WHERE %(rate)s::float8 <= 0 OR EXISTS (SELECT 1 FROM bucket)
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
            THEN latest.checkpoint_id END AS latest_checkpoint,
       (SELECT k.effect FROM idempotency_keys k
         WHERE k.user_id = %(owner)s AND k.action_id = %(action)s) AS effect,
       %(rate)s::float8 <= 0 OR EXISTS (SELECT 1 FROM bucket) AS allowed,
       (SELECT (1 - least(%(burst)s::float8, r.tokens
                          + extract(epoch FROM now() - r.updated_at) * %(rate)s::float8))
               / nullif(%(rate)s::float8, 0)
          FROM rate_buckets r WHERE r.user_id = %(owner)s) AS wait_s
  FROM (SELECT 1) AS one
  LEFT JOIN lease ON true
  LEFT JOIN LATERAL (SELECT c.checkpoint_id FROM checkpoints c
                      WHERE c.thread_id = %(tid)s AND c.checkpoint_ns = ''
                      ORDER BY c.checkpoint_id DESC LIMIT 1) AS latest ON lease.status IS NOT NULL
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


class Taken(NamedTuple):
    """What `take_lease` found: the lease (None: busy, or not the caller's thread) and the
    `effect` an earlier attempt of the run's action_id committed before it died, if any."""

    lease: Lease | None
    effect: dict[str, Any] | None


async def take_lease(
    conn: Conn, *, thread_id: str, owner_id: str, department: str, title: str,
    run_id: str, trace_id: str, lease_s: float, action_id: str | None = None,
    rate: float = 0.0, burst: int = 1,
) -> Taken:
    """Take the run lease (creating the thread if new) and a turn from the caller's rate bucket:
    `rate` turns per second, up to `burst` at once (0: unlimited). Raises `QuotaExceeded`
    (with the seconds until the next turn) when the bucket is empty."""
    params = {"tid": thread_id, "owner": owner_id, "dept": department, "title": title[:120],
              "run": run_id, "trace": trace_id, "lease": lease_s, "action": action_id,
              "rate": rate, "burst": burst}
    row = await fetch_one(conn, _ACQUIRE, params)
    if row is None:
        return Taken(None, None)
    if not row["allowed"]:
        raise QuotaExceeded(f"more than {burst} turns at a rate of {rate:g}/s; slow down",
                            retry_after=max(1.0, float(row["wait_s"] or 1.0)))
    if row["status"] is None:
        return Taken(None, row["effect"])
    lease = Lease(str(row["status"]), bool(row["settled"]), row["latest_checkpoint"])
    return Taken(lease, row["effect"])


async def acquire_lease(
    conn: Conn, *, thread_id: str, owner_id: str, department: str, title: str,
    run_id: str, trace_id: str, lease_s: float,
) -> Lease | None:
    """Take the run lease (creating the thread if new), or None if not taken."""
    return (await take_lease(conn, thread_id=thread_id, owner_id=owner_id, department=department,
                             title=title, run_id=run_id, trace_id=trace_id,
                             lease_s=lease_s)).lease


def release_statement(*, thread_id: str, run_id: str, status: str,
                      settled: bool) -> tuple[str, dict[str, Any]]:
    """The statement that gives the lease back and records the thread's status after the run.

    Only the run's lease holder matches, so once one release ran, later ones are no-ops.
    """
    return _RELEASE, {"tid": thread_id, "run": run_id, "status": status, "settled": settled}


def hold_statement(*, thread_id: str, run_id: str) -> tuple[str, dict[str, Any]]:
    """The statement that fails its transaction (SQLSTATE HD409) unless `run_id` still holds
    the thread's lease: a run whose lease lapsed and was taken over cannot commit its turn."""
    return "SELECT helpdesk_hold_lease(%(tid)s, %(run)s)", {"tid": thread_id, "run": run_id}


def unsettle_statement(*, thread_id: str) -> tuple[str, dict[str, Any]]:
    """The statement that marks a thread's latest checkpoint as not the end of a turn."""
    return "UPDATE threads SET settled = false WHERE thread_id = %(tid)s", {"tid": thread_id}


async def release_lease(conn: Conn, *, thread_id: str, run_id: str, status: str,
                        settled: bool) -> None:
    """Give the lease back and record the thread's status after the run."""
    await execute(conn, *release_statement(thread_id=thread_id, run_id=run_id, status=status,
                                         settled=settled))


async def get_thread(conn: Conn, *, thread_id: str) -> Thread | None:
    """One thread row."""
    row = await fetch_one(conn, f"SELECT {_THREAD} FROM threads WHERE thread_id = %(tid)s",
                          {"tid": thread_id})
    return None if row is None else Thread(**row)


async def list_threads(
    conn: Conn, *, owner_id: str, status: str | None = None, limit: int = 50
) -> list[Thread]:
    """A user's threads, newest first."""
    rows = await fetch_all(conn, f"SELECT {_THREAD} FROM threads WHERE owner_id = %(owner)s"
                           f"{' AND status = %(status)s' if status else ''}"
                           " ORDER BY updated_at DESC LIMIT %(limit)s",
                           {"owner": owner_id, "status": status, "limit": limit})
    return [Thread(**row) for row in rows]


async def list_messages(conn: Conn, *, thread_id: str, limit: int = 200) -> list[ThreadMessage]:
    """The last `limit` transcript lines of a thread, oldest first."""
    rows = await fetch_all(conn, f"SELECT {_MESSAGE} FROM thread_messages WHERE thread_id = %(tid)s"
                           " ORDER BY id DESC LIMIT %(limit)s", {"tid": thread_id, "limit": limit})
    return [ThreadMessage(**row) for row in reversed(rows)]


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


async def record_turn(conn: Conn, *, events: list[dict[str, Any]], messages: list[dict[str, Any]]) -> None:
    """Append a turn's audit events and transcript lines together."""
    await execute(conn, *record_statement(events=events, messages=messages))
