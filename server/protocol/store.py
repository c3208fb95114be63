"""SQL of the protocol: thread metadata, runs and their events (tables of migration 5)."""

from __future__ import annotations

import json
from typing import Any

from tools.db.engine import Conn, execute, fetch_all, fetch_one
from tools.domain import ThreadStatus

_THREAD_COLS = ("thread_id, owner_id, status, lg_metadata AS metadata, created_at, updated_at, "
                "coalesce(lease_until > now(), false) AS leased")

_CREATE = f"""
INSERT INTO threads (thread_id, owner_id, department, title, lg_metadata)
VALUES (%(tid)s, %(owner)s, %(dept)s, '', %(meta)s::jsonb)
ON CONFLICT (thread_id) DO NOTHING
RETURNING {_THREAD_COLS}
"""

# Ownership, busy state and the graph stamp of a new run, in one round trip. The stamp is written
# only when missing: a run on a stamped thread writes nothing here (no commit to wait for).
_CLAIM = f"""
WITH stamped AS (
UPDATE threads SET lg_metadata = lg_metadata || %(stamp)s::jsonb
 WHERE thread_id = %(tid)s AND owner_id = %(owner)s AND NOT lg_metadata @> %(stamp)s::jsonb
RETURNING thread_id
)
SELECT {_THREAD_COLS},
       EXISTS (SELECT 1 FROM protocol_runs r WHERE r.thread_id = threads.thread_id
                  AND r.status IN ('pending', 'running')
                  AND r.updated_at > now() - interval '10 minutes') AS queued
  FROM threads WHERE thread_id = %(tid)s AND owner_id = %(owner)s
"""

_INSERT_RUN = """
INSERT INTO protocol_runs (run_id, thread_id, owner_id, assistant_id, status, metadata, kwargs,
                           multitask_strategy, created_at)
VALUES (%(run_id)s, %(thread_id)s, %(owner)s, %(assistant_id)s, %(status)s, %(metadata)s::jsonb,
        %(kwargs)s::jsonb, %(multitask_strategy)s, %(created_at)s)
ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
"""

_RUN_COLS = ("run_id, thread_id, assistant_id, status, metadata, kwargs, multitask_strategy, "
             "created_at, updated_at")

_EVENTS = """
INSERT INTO protocol_run_events (run_id, seq, event, data)
SELECT %(run_id)s, e.seq, e.event, e.data
  FROM jsonb_to_recordset(%(events)s::jsonb) AS e(seq integer, event text, data jsonb)
ON CONFLICT DO NOTHING
"""


async def create_thread(db: Conn, *, thread_id: str, owner: str, dept: str,
                        metadata: dict[str, Any]) -> dict[str, Any] | None:
    """A new thread row, or None if the id is taken."""
    return await fetch_one(db, _CREATE, {"tid": thread_id, "owner": owner, "dept": dept,
                                         "meta": json.dumps(metadata)})


async def get_thread(db: Conn, *, thread_id: str, owner: str) -> dict[str, Any] | None:
    """The caller's thread row, or None (absent or someone else's)."""
    return await fetch_one(db, f"SELECT {_THREAD_COLS} FROM threads WHERE thread_id = %(tid)s "
                               "AND owner_id = %(owner)s", {"tid": thread_id, "owner": owner})


async def thread_exists(db: Conn, *, thread_id: str) -> bool:
    """Whether any user has a thread with this id."""
    return await fetch_one(db, "SELECT 1 AS one FROM threads WHERE thread_id = %(tid)s",
                           {"tid": thread_id}) is not None


def _filters(owner: str, metadata: dict[str, Any], status: str | None,
             ids: list[str] | None) -> tuple[str, dict[str, Any]]:
    where = ["owner_id = %(owner)s", "lg_metadata @> %(meta)s::jsonb"]
    if status == ThreadStatus.BUSY:
        where.append("lease_until > now()")
    elif status is not None:
        where.append("status = %(status)s AND (lease_until IS NULL OR lease_until <= now())")
    if ids is not None:
        where.append("thread_id = ANY(%(ids)s)")
    return " AND ".join(where), {"owner": owner, "meta": json.dumps(metadata), "status": status, "ids": ids}


async def search_threads(db: Conn, *, owner: str, metadata: dict[str, Any], status: str | None,
                         ids: list[str] | None, limit: int, offset: int,
                         sort_by: str, desc: bool) -> list[dict[str, Any]]:
    """The caller's threads matching metadata (containment), status and ids."""
    where, params = _filters(owner, metadata, status, ids)
    order = f"{sort_by} {'DESC' if desc else 'ASC'}"  # sort_by is validated by the schema
    query = (f"SELECT {_THREAD_COLS} FROM threads WHERE {where} "
             f"ORDER BY {order}, thread_id LIMIT %(limit)s OFFSET %(offset)s")
    return await fetch_all(db, query, {**params, "limit": limit, "offset": offset})


async def count_threads(db: Conn, *, owner: str, metadata: dict[str, Any], status: str | None) -> int:
    """How many of the caller's threads match."""
    where, params = _filters(owner, metadata, status, None)
    row = await fetch_one(db, f"SELECT count(*) AS n FROM threads WHERE {where}", params)
    return int(row["n"]) if row else 0


async def patch_metadata(db: Conn, *, thread_id: str, owner: str,
                         metadata: dict[str, Any]) -> dict[str, Any] | None:
    """Merge metadata into the caller's thread; the updated row, or None."""
    return await fetch_one(db, f"UPDATE threads SET lg_metadata = lg_metadata || %(meta)s::jsonb, "
                               f"updated_at = now() WHERE thread_id = %(tid)s AND owner_id = %(owner)s "
                               f"RETURNING {_THREAD_COLS}",
                           {"tid": thread_id, "owner": owner, "meta": json.dumps(metadata)})


async def delete_thread(db: Conn, *, thread_id: str) -> None:
    """Drop a thread, its checkpoints, transcript and runs (audit rows stay)."""
    params = {"tid": thread_id}
    for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints", "thread_messages",
                  "protocol_runs", "threads"):
        await execute(db, f"DELETE FROM {table} WHERE thread_id = %(tid)s", params)


async def claim(db: Conn, *, thread_id: str, owner: str, stamp: dict[str, Any]) -> dict[str, Any] | None:
    """Stamp graph/assistant ids on the caller's thread; its row with `leased` and `queued`."""
    return await fetch_one(db, _CLAIM, {"tid": thread_id, "owner": owner, "stamp": json.dumps(stamp)})


async def put_run(db: Conn, *, run: dict[str, Any], owner: str) -> None:
    """Write a run's row (insert, or update its status)."""
    params = {**run, "owner": owner, "metadata": json.dumps(run["metadata"]),
              "kwargs": json.dumps(run["kwargs"])}
    await execute(db, _INSERT_RUN, params)


async def set_status(db: Conn, *, run_id: str, status: str) -> None:
    """Move a run to `status`."""
    await execute(db, "UPDATE protocol_runs SET status = %(status)s, updated_at = now() "
                      "WHERE run_id = %(run_id)s", {"run_id": run_id, "status": status})


async def put_events(db: Conn, *, run_id: str, events: list[dict[str, Any]]) -> None:
    """Store a run's events (for Last-Event-ID rejoins)."""
    await execute(db, _EVENTS, {"run_id": run_id, "events": json.dumps(events)})


async def get_run(db: Conn, *, run_id: str, owner: str, thread_id: str | None) -> dict[str, Any] | None:
    """The caller's run (of `thread_id`, if given), or None."""
    query = (f"SELECT {_RUN_COLS} FROM protocol_runs WHERE run_id = %(run_id)s AND owner_id = %(owner)s"
             + (" AND thread_id = %(tid)s" if thread_id else ""))
    return await fetch_one(db, query, {"run_id": run_id, "owner": owner, "tid": thread_id})


async def list_runs(db: Conn, *, thread_id: str, owner: str, status: str | None, limit: int,
                    offset: int) -> list[dict[str, Any]]:
    """The thread's runs, newest first."""
    query = (f"SELECT {_RUN_COLS} FROM protocol_runs WHERE thread_id = %(tid)s AND owner_id = %(owner)s"
             + (" AND status = %(status)s" if status else "")
             + " ORDER BY created_at DESC LIMIT %(limit)s OFFSET %(offset)s")
    return await fetch_all(db, query, {"tid": thread_id, "owner": owner, "status": status,
                                       "limit": limit, "offset": offset})


async def events_after(db: Conn, *, run_id: str, after: int) -> list[dict[str, Any]]:
    """A finished run's stored events after sequence number `after`."""
    return await fetch_all(db, "SELECT seq, event, data FROM protocol_run_events WHERE run_id = %(r)s "
                               "AND seq > %(after)s ORDER BY seq", {"r": run_id, "after": after})


async def delete_run(db: Conn, *, run_id: str) -> None:
    """Forget a run (multitask rollback)."""
    await execute(db, "DELETE FROM protocol_runs WHERE run_id = %(r)s", {"r": run_id})


async def start_run(db: Conn, *, run: dict[str, Any], owner: str) -> None:
    """Write a starting run's row, unless its end was written first."""
    params = {**run, "owner": owner, "metadata": json.dumps(run["metadata"]),
              "kwargs": json.dumps(run["kwargs"])}
    await execute(db, _INSERT_RUN.split("ON CONFLICT")[0] + "ON CONFLICT (run_id) DO NOTHING", params)


async def drop_checkpoints(db: Conn, *, thread_id: str, run_id: str) -> None:
    """Delete the checkpoint(s) a rolled-back turn wrote (its run id is in their metadata)."""
    params = {"tid": thread_id, "run": run_id}
    doomed = ("SELECT checkpoint_id FROM checkpoints WHERE thread_id = %(tid)s "
              "AND metadata->>'run_id' = %(run)s")
    await execute(db, f"DELETE FROM checkpoint_writes WHERE thread_id = %(tid)s AND checkpoint_id IN ({doomed})",
                  params)
    await execute(db, "DELETE FROM checkpoints WHERE thread_id = %(tid)s AND metadata->>'run_id' = %(run)s",
                  params)


async def mark_running(db: Conn, *, run_id: str) -> None:
    """A queued run has started (a no-op once its end is written)."""
    await execute(db, "UPDATE protocol_runs SET status = 'running', updated_at = now() "
                      "WHERE run_id = %(r)s AND status = 'pending'", {"r": run_id})
