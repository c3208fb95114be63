"""Threads of the protocol: create, search, read, patch, delete, state and history."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from server.deps import CurrentActor, RuntimeDep, TraceId
from server.protocol import shapes, state_update, store
from server.protocol.schemas import CheckpointQuery, HistoryQuery, StateUpdate, ThreadCreate, ThreadPatch, ThreadSearch
from server.protocol.wire import body_of, documented, json_response, plain
from server.runtime import Runtime
from tools.domain import Actor
from tools.errors import ErrorCode, HelpdeskError, NotFound, ThreadBusy, db_errors

router = APIRouter(prefix="/threads", tags=["langgraph: threads"])


class Conflict(HelpdeskError):
    """The thread id is taken."""

    code = ErrorCode.IDEMPOTENCY_CONFLICT


def _config(thread_id: str, checkpoint_id: str | None = None) -> dict[str, Any]:
    conf = {"thread_id": thread_id, "checkpoint_ns": ""}
    return {"configurable": {**conf, "checkpoint_id": checkpoint_id} if checkpoint_id else conf}


async def owned(runtime: Runtime, thread_id: str, actor: Actor) -> dict[str, Any]:
    """The caller's thread row; another user's or a missing thread is 404."""
    async with db_errors(), runtime.db.connection() as conn:
        row = await store.get_thread(conn, thread_id=thread_id, owner=actor.user_id)
    if row is None:
        raise NotFound(f"thread {thread_id} not found")
    return row


async def _thread(runtime: Runtime, row: dict[str, Any]) -> dict[str, Any]:
    snapshot = await runtime.runner.graph.aget_state(_config(row["thread_id"]))
    return shapes.thread(row, snapshot)


async def thread_fields(runtime: Runtime, thread_id: str, actor: Actor) -> dict[str, Any]:
    """The protocol's fields of a thread, merged into GET /threads/{id} (API.md's ThreadOut)."""
    thread = await _thread(runtime, await owned(runtime, thread_id, actor))
    fields: dict[str, Any] = plain({k: thread[k] for k in ("metadata", "values", "interrupts", "config", "error")})
    return fields


@router.post("", responses=documented(404, 409))
async def create_thread(request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """A new empty thread owned by the caller."""
    body = await body_of(request, ThreadCreate)
    tid = body.thread_id or str(uuid.uuid4())
    async with db_errors(), runtime.db.connection() as conn:
        row = await store.create_thread(conn, thread_id=tid, owner=actor.user_id,
                                        dept=actor.department, metadata=body.metadata)
        if row is None and body.if_exists == "do_nothing":
            row = await store.get_thread(conn, thread_id=tid, owner=actor.user_id)
    if row is None:
        raise Conflict(f"thread {tid} already exists")
    return json_response(await _thread(runtime, row))


@router.post("/search", responses=documented(404, 409))
async def search_threads(request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """The caller's threads only, filtered by metadata and status."""
    q = await body_of(request, ThreadSearch)
    async with db_errors(), runtime.db.connection() as conn:
        rows = await store.search_threads(conn, owner=actor.user_id, metadata=q.metadata, status=q.status,
                                          ids=q.ids, limit=q.limit, offset=q.offset, sort_by=q.sort_by,
                                          desc=q.sort_order == "desc")
    threads = await asyncio.gather(*(_thread(runtime, r) for r in rows))
    if q.values:
        threads = [t for t in threads if all(t["values"].get(k) == v for k, v in q.values.items())]
    return json_response(threads)


@router.post("/count", responses=documented(404, 409))
async def count_threads(request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """How many of the caller's threads match the filters."""
    q = await body_of(request, ThreadSearch)
    async with db_errors(), runtime.db.connection() as conn:
        count = await store.count_threads(conn, owner=actor.user_id, metadata=q.metadata, status=q.status)
    return json_response(count)


@router.patch("/{thread_id}", responses=documented(404, 409))
async def patch_thread(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """Merge metadata into one of the caller's threads."""
    body = await body_of(request, ThreadPatch)
    async with db_errors(), runtime.db.connection() as conn:
        row = await store.patch_metadata(conn, thread_id=thread_id, owner=actor.user_id, metadata=body.metadata)
    if row is None:
        raise NotFound(f"thread {thread_id} not found")
    return json_response(await _thread(runtime, row))


@router.delete("/{thread_id}", status_code=204, responses=documented(404, 409))
async def delete_thread(thread_id: str, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """Delete one of the caller's threads (not while a run holds it)."""
    row = await owned(runtime, thread_id, actor)
    if row["leased"]:
        raise ThreadBusy(f"thread {thread_id} is running a turn; retry shortly", retry_after=1)
    async with db_errors(), runtime.db.connection() as conn, conn.transaction():
        await store.delete_thread(conn, thread_id=thread_id)
    return Response(status_code=204)


@router.get("/{thread_id}/state", responses=documented(404))
async def get_state(thread_id: str, actor: CurrentActor, runtime: RuntimeDep,
                    subgraphs: Annotated[bool, Query()] = False) -> Response:
    """The thread's latest state (values, next, tasks with interrupts)."""
    await owned(runtime, thread_id, actor)
    return json_response(shapes.state(await runtime.runner.graph.aget_state(_config(thread_id))))


@router.get("/{thread_id}/state/{checkpoint_id}", responses=documented(404))
async def get_state_at(thread_id: str, checkpoint_id: str, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """The thread's state at one of its checkpoints."""
    return await _state_at(runtime, actor, thread_id, checkpoint_id)


@router.post("/{thread_id}/state/checkpoint", responses=documented(404, 409))
async def post_state_at(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """The thread's state at the checkpoint in the body (the SDK's get_state(checkpoint=…))."""
    body = await body_of(request, CheckpointQuery)
    return await _state_at(runtime, actor, thread_id, body.checkpoint.get("checkpoint_id"))


async def _state_at(runtime: Runtime, actor: Actor, thread_id: str, checkpoint_id: str | None) -> Response:
    await owned(runtime, thread_id, actor)
    snapshot = await runtime.runner.graph.aget_state(_config(thread_id, checkpoint_id))
    if checkpoint_id and snapshot.config.get("configurable", {}).get("checkpoint_id") != checkpoint_id:
        raise NotFound(f"checkpoint {checkpoint_id} not found")
    return json_response(shapes.state(snapshot))


@router.post("/{thread_id}/history", responses=documented(404, 409))
async def history(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """The thread's states, newest first."""
    q = await body_of(request, HistoryQuery)
    await owned(runtime, thread_id, actor)
    before = q.before if isinstance(q.before, dict) else (
        {"checkpoint_id": q.before} if q.before else None)
    config = _config(thread_id, (q.checkpoint or {}).get("checkpoint_id"))
    kwargs: dict[str, Any] = {"limit": q.limit, "filter": q.metadata}
    if before:
        kwargs["before"] = _config(thread_id, before.get("checkpoint_id"))
    states = [shapes.state(s) async for s in runtime.runner.graph.aget_state_history(config, **kwargs)]
    return json_response(states)


@router.post("/{thread_id}/state", responses=documented(404, 409))
async def update_state(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                       trace_id: TraceId) -> Response:
    """Edit the thread's `messages` window (a new checkpoint, audited); other keys are never
    applied (they could bypass the validator or the state machines): dropped, audited and named
    in the answer's `ignored_keys`."""
    body = await body_of(request, StateUpdate)
    row = await owned(runtime, thread_id, actor)
    return json_response(await state_update.apply(runtime, actor, row, body, trace_id))
