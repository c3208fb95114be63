"""POST /threads/{id}/copy and POST /threads/prune (langgraph-api semantics, owner only)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.deps import CurrentActor, RuntimeDep
from server.protocol import shapes, store
from server.protocol.schemas import Lenient
from server.protocol.threads import owned
from server.protocol.wire import body_of, documented, json_response
from tools.errors import ThreadBusy, db_errors

router = APIRouter(prefix="/threads", tags=["langgraph: threads"])

# A copy is a new thread of the same owner with every checkpoint (so its history and forks
# work) and its transcript. Pending actions are bound to their thread, so a copy cannot
# confirm the original's: the validator finds none on the copy.
_COPY = (
    """INSERT INTO threads (thread_id, owner_id, department, title, status, settled, lg_metadata)
       SELECT %(new)s, owner_id, department, title, status, false, lg_metadata FROM threads
        WHERE thread_id = %(old)s""",
    """INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type,
                                checkpoint, metadata)
       SELECT %(new)s, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata
         FROM checkpoints WHERE thread_id = %(old)s""",
    """INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
       SELECT %(new)s, checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs
        WHERE thread_id = %(old)s""",
    """INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel,
                                      type, blob, task_path)
       SELECT %(new)s, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path
         FROM checkpoint_writes WHERE thread_id = %(old)s""",
    """INSERT INTO thread_messages (thread_id, role, content, trace_id, created_at)
       SELECT %(new)s, role, content, trace_id, created_at FROM thread_messages
        WHERE thread_id = %(old)s ORDER BY id""",
)

# keep_latest: every checkpoint but the newest goes, with its writes and the blobs only it used
_KEEP_LATEST = (
    """DELETE FROM checkpoint_writes w USING checkpoints c WHERE c.thread_id = %(tid)s
        AND w.thread_id = c.thread_id AND w.checkpoint_id = c.checkpoint_id AND c.checkpoint_id <> %(keep)s""",
    "DELETE FROM checkpoints WHERE thread_id = %(tid)s AND checkpoint_id <> %(keep)s",
    """DELETE FROM checkpoint_blobs b WHERE b.thread_id = %(tid)s AND NOT EXISTS (
         SELECT 1 FROM checkpoints c, jsonb_each_text(c.checkpoint -> 'channel_versions') v
          WHERE c.thread_id = b.thread_id AND v.key = b.channel AND v.value = b.version)""",
)


class Prune(Lenient):
    """POST /threads/prune."""

    thread_ids: list[str]
    strategy: Literal["delete", "keep_latest"] = "delete"


@router.post("/{thread_id}/copy", responses=documented(404, 409))
async def copy_thread(thread_id: str, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """A new thread of the caller with this one's checkpoints and transcript."""
    row = await owned(runtime, thread_id, actor)
    if row["leased"]:
        raise ThreadBusy(f"thread {thread_id} is running a turn; retry shortly", retry_after=1)
    new = str(uuid.uuid4())
    async with db_errors(), runtime.db.connection() as conn, conn.transaction():
        for query in _COPY:
            await conn.execute(query, {"new": new, "old": thread_id})
    copied = await owned(runtime, new, actor)
    snapshot = await runtime.runner.graph.aget_state({"configurable": {"thread_id": new}})
    return json_response(shapes.thread(copied, snapshot))


@router.post("/prune", responses=documented(404, 409))
async def prune_threads(request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """Delete the caller's listed threads, or keep only their latest checkpoint; others' ids and
    threads that are running a turn are skipped. Answers {"pruned_count": n}."""
    body = await body_of(request, Prune)
    count = 0
    for tid in body.thread_ids:
        async with db_errors(), runtime.db.connection() as conn, conn.transaction():
            row = await store.get_thread(conn, thread_id=tid, owner=actor.user_id)
            if row is None or row["leased"]:
                continue
            if body.strategy == "delete":
                await store.delete_thread(conn, thread_id=tid)
            else:
                await _keep_latest(conn, tid)
            count += 1
    return json_response({"pruned_count": count})


async def _keep_latest(conn: Any, tid: str) -> None:
    latest = await (await conn.execute(
        "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %(tid)s AND checkpoint_ns = '' "
        "ORDER BY checkpoint_id DESC LIMIT 1", {"tid": tid})).fetchone()
    if latest is None:
        return
    for query in _KEEP_LATEST:
        await conn.execute(query, {"tid": tid, "keep": latest["checkpoint_id"]})
