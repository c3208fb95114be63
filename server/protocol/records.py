"""A protocol run's rows: written when it starts, marked running, recorded (or rolled back) at its end."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from server.protocol import store
from server.protocol.live import LiveRun

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger("helpdesk.protocol")


async def mark_running(runtime: Runtime, live: LiveRun) -> None:
    """A queued or background run has taken its thread: its row says `running`."""
    try:
        async with runtime.db.connection() as conn:
            await store.mark_running(conn, run_id=live.run_id)
    except Exception:
        log.warning("could not mark protocol run %s running", live.run_id, exc_info=True)


async def insert(runtime: Runtime, live: LiveRun) -> None:
    """The row of a run that starts at once (written beside its first event, not before it)."""
    try:
        async with runtime.db.connection() as conn:
            await store.start_run(conn, run={**live.row, "status": "running"}, owner=live.actor.user_id)
    except Exception:
        log.warning("could not write protocol run %s", live.run_id, exc_info=True)


async def roll_back(runtime: Runtime, live: LiveRun) -> None:
    """A rolled-back turn's changes are not kept: drop the checkpoint it stopped at."""
    try:
        async with runtime.db.connection() as conn, conn.transaction():
            await store.drop_checkpoints(conn, thread_id=live.thread_id, run_id=live.runner_run_id)
    except Exception:
        log.warning("could not roll back protocol run %s", live.run_id, exc_info=True)


async def record(runtime: Runtime, live: LiveRun, status: str, drop_thread: bool) -> None:
    """The run's end: its status and events (or its deletion, rolled back; or its stateless
    thread's)."""
    try:
        async with runtime.db.connection() as conn, conn.transaction():
            # bookkeeping, not the thread's state (that committed with its checkpoint): no
            # need to wait for the WAL flush
            await conn.execute("SET LOCAL synchronous_commit TO off")
            if live.written is not None:
                await live.written  # its first row is in before this one
            if live.cancelled == "rollback":
                await store.delete_run(conn, run_id=live.run_id)
            else:
                await store.put_run(conn, run={**live.row, "status": status}, owner=live.actor.user_id)
                if live.resumable:
                    await store.put_events(conn, run_id=live.run_id, events=live.stored_events())
            if drop_thread:
                await store.delete_thread(conn, thread_id=live.thread_id)
    except Exception:
        log.warning("could not record protocol run %s", live.run_id, exc_info=True)
