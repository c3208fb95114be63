"""Threads: list, read, history, and resuming an interrupted one (JSON or SSE)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from graph.result import TurnResult
from server.deps import CurrentActor, RuntimeDep, TraceId
from server.idempotent import key_for, run_once
from server.openapi import BASE, SSE_RESPONSE, TURN, errors
from server.protocol.threads import thread_fields
from server.responses import CheckpointOut, ThreadOut, ThreadSummary
from server.schemas import THREAD_ID, ResumeRequest
from server.streaming import stream_turn
from server.turns import resume_turn, run_turn

router = APIRouter(prefix="/threads", tags=["threads"])
ThreadId = Annotated[str, Path(pattern=THREAD_ID, description="thread id")]


@router.get("", response_model=list[ThreadSummary], responses=errors(*BASE))
async def list_threads(
    actor: CurrentActor, runtime: RuntimeDep,
    status: Annotated[Literal["idle", "interrupted", "busy"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """The caller's threads, newest first."""
    return await runtime.views.list_threads(actor, status, limit)


@router.get("/{thread_id}", response_model=ThreadOut, responses=errors(*BASE, 404))
async def get_thread(thread_id: ThreadId, actor: CurrentActor, runtime: RuntimeDep) -> Any:
    """One of the caller's threads: status, memory, pending action, transcript (and, for
    langgraph-sdk, its metadata, values and interrupts)."""
    return {**await runtime.views.get_thread(thread_id, actor), **await thread_fields(runtime, thread_id, actor)}


@router.get("/{thread_id}/history", response_model=list[CheckpointOut],
            responses=errors(*BASE, 404))
async def thread_history(thread_id: ThreadId, actor: CurrentActor, runtime: RuntimeDep) -> Any:
    """The thread's checkpoints, newest first."""
    return await runtime.views.history(thread_id, actor)


@router.post("/{thread_id}/resume", response_model=TurnResult, responses=errors(*TURN))
async def resume(
    thread_id: ThreadId, body: ResumeRequest, actor: CurrentActor, runtime: RuntimeDep,
    trace_id: TraceId,
) -> Any:
    """Confirm or cancel the thread's pending action; returns the unified result."""
    key = key_for(runtime, actor, "resume", body, thread=thread_id)
    return await run_once(key, trace_id, lambda: run_turn(
        runtime, resume_turn(thread_id, body), actor, trace_id))


@router.post("/{thread_id}/resume/stream", response_class=Response,
             responses={**SSE_RESPONSE, **errors(*TURN)})
async def resume_stream(
    thread_id: ThreadId, body: ResumeRequest, actor: CurrentActor, runtime: RuntimeDep,
    trace_id: TraceId,
) -> Response:
    """The resume as Server-Sent Events."""
    key = key_for(runtime, actor, "resume", body, thread=thread_id)
    return await stream_turn(runtime, resume_turn(thread_id, body), actor, key=key,
                             trace_id=trace_id)
