"""Runs of the protocol: create (background, stream, wait), list, read, join, rejoin, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from server.deps import CurrentActor, RuntimeDep, TraceId
from server.protocol import shapes
from server.protocol.execute import Runs
from server.protocol.live import LiveRun, cancel
from server.protocol.schemas import RunCreate
from server.protocol.wire import HEARTBEAT, body_of, documented, dumps, frame, json_response
from server.runtime import Runtime
from tools.domain import Actor

router = APIRouter(tags=["langgraph: runs"])
_MODE_OF = {"messages": "messages-tuple", "messages/partial": "messages", "messages/complete": "messages",
            "messages/metadata": "messages"}


def runs_of(request: Request, runtime: Runtime) -> Runs:
    """This process's run manager (made with the runtime it drives)."""
    runs: Runs | None = getattr(request.app.state, "protocol_runs", None)
    if runs is None or runs.runtime is not runtime:
        runs = request.app.state.protocol_runs = Runs(runtime)
    return runs


def location_of(thread_id: str | None, run_id: str) -> str:
    """The run's URL (Content-Location)."""
    return f"/threads/{thread_id}/runs/{run_id}" if thread_id else f"/runs/{run_id}"


async def _create(request: Request, runtime: Runtime, actor: Actor, trace_id: str, thread_id: str | None,
                  **kwargs: Any) -> tuple[RunCreate, LiveRun]:
    body = await body_of(request, RunCreate)
    return body, await runs_of(request, runtime).create(body, actor, trace_id, thread_id, **kwargs)


@router.post("/threads/{thread_id}/runs", responses=documented(404, 409))
async def create_run(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                     trace_id: TraceId) -> Response:
    """A background run; poll it, join it, or stream it."""
    _, live = await _create(request, runtime, actor, trace_id, thread_id, background=True)
    return json_response(shapes.run(live.row), headers={"Content-Location": location_of(thread_id, live.run_id)})


@router.post("/threads/{thread_id}/runs/stream", responses=documented(404, 409, sse=True))
async def stream_run(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                     trace_id: TraceId) -> Response:
    """A run streamed as Server-Sent Events (metadata first)."""
    return await _stream(request, runtime, actor, trace_id, thread_id)


@router.post("/runs/stream", responses=documented(404, 409, sse=True))
async def stream_stateless(request: Request, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Response:
    """A run on a fresh thread, streamed (the thread is deleted after, unless on_completion=keep)."""
    return await _stream(request, runtime, actor, trace_id, None)


async def _stream(request: Request, runtime: Runtime, actor: Actor, trace_id: str, thread_id: str | None) -> Response:
    hold = asyncio.Event()
    body, live = await _create(request, runtime, actor, trace_id, thread_id, hold=hold)
    location = location_of(thread_id, live.run_id)
    events = sse(live, -1, body.stream_resumable, [], hold, cancel_on_exit=body.on_disconnect == "cancel")
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Location": f"{location}/stream", "Content-Location": location,
                                      "Cache-Control": "no-store"})


async def sse(live: LiveRun, after: int, ids: bool, modes: list[str],
              hold: asyncio.Event | None = None, *, cancel_on_exit: bool = False) -> AsyncIterator[bytes]:
    """The run's events after `after` as SSE frames (with ids if asked), heartbeats between.
    `cancel_on_exit` (on_disconnect=cancel): a client gone before the end cancels the run."""
    try:
        async for item in live.follow(after):
            if item is None:
                yield HEARTBEAT
            elif wanted(item[1], modes):
                yield frame(item[1], item[2], str(item[0]) if ids else None)
            if hold is not None:
                hold.set()  # the first event is out: the turn may take the CPU
    finally:
        if hold is not None:
            hold.set()
        if cancel_on_exit:
            cancel(live, "interrupt")


def wanted(event: str, modes: list[str]) -> bool:
    """Whether an event belongs to the stream modes a rejoin asked for (all if none)."""
    return not modes or event in ("metadata", "error") or _MODE_OF.get(event, event) in modes


@router.post("/threads/{thread_id}/runs/wait", responses=documented(404, 409))
async def wait_run(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                   trace_id: TraceId) -> Response:
    """A run, answered with its final values (or `__interrupt__`, or `__error__`)."""
    _, live = await _create(request, runtime, actor, trace_id, thread_id, values=True)
    await live.done.wait()
    return await final(runtime, live, location_of(thread_id, live.run_id))


@router.post("/runs/wait", responses=documented(404, 409))
async def wait_stateless(request: Request, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Response:
    """A run on a fresh thread, answered with its final values."""
    _, live = await _create(request, runtime, actor, trace_id, None, values=True)
    await live.done.wait()
    return await final(runtime, live, location_of(None, live.run_id))


@router.post("/runs", responses=documented(404, 409))
async def create_stateless(request: Request, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Response:
    """A background run on a fresh thread."""
    _, live = await _create(request, runtime, actor, trace_id, None, background=True)
    return json_response(shapes.run(live.row), headers={"Content-Location": location_of(None, live.run_id)})


async def final(runtime: Runtime, live: LiveRun, location: str) -> Response:
    """A finished run's answer to runs.wait / join: its last values, or `__error__`."""
    errors = [b for e, b in live.frames if e == "error"]
    if errors:
        body = b'{"__error__":' + errors[-1] + b"}"
    elif live.values is not None:
        body = live.values
    else:
        body = dumps(await thread_values(runtime, live.thread_id))
    return Response(body, media_type="application/json", headers={"Content-Location": location})


async def thread_values(runtime: Runtime, thread_id: str) -> dict[str, Any]:
    """The thread's current values, with `__interrupt__` when it waits."""
    snapshot = await runtime.runner.graph.aget_state({"configurable": {"thread_id": thread_id}})
    values = dict(snapshot.values or {})
    if interrupts := [i for t in snapshot.tasks for i in t.interrupts]:
        values["__interrupt__"] = interrupts
    return values
