"""Runs of the protocol: create (background, stream, wait), list, read, join, rejoin, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response, StreamingResponse

from graph.runner import db_errors
from server.deps import CurrentActor, RuntimeDep, TraceId
from server.protocol import shapes, store
from server.protocol.execute import Runs
from server.protocol.live import LiveRun
from server.protocol.schemas import RunCreate
from server.protocol.threads import owned
from server.protocol.wire import HEARTBEAT, body_of, dumps, frame, json_response
from server.runtime import Runtime
from tools.domain import Actor
from tools.errors import InvalidInput, NotFound

router = APIRouter(tags=["langgraph: runs"])
POLL_S = 0.05
_ENDED = ("success", "error", "interrupted", "timeout")
_MODE_OF = {"messages": "messages-tuple", "messages/partial": "messages", "messages/complete": "messages",
            "messages/metadata": "messages"}


def runs_of(request: Request, runtime: Runtime) -> Runs:
    """This process's run manager (made with the runtime it drives)."""
    runs: Runs | None = getattr(request.app.state, "protocol_runs", None)
    if runs is None or runs.runtime is not runtime:
        runs = request.app.state.protocol_runs = Runs(runtime)
    return runs


def _where(thread_id: str | None, run_id: str) -> str:
    return f"/threads/{thread_id}/runs/{run_id}" if thread_id else f"/runs/{run_id}"


async def _create(request: Request, runtime: Runtime, actor: Actor, trace_id: str, thread_id: str | None,
                  **kwargs: Any) -> tuple[RunCreate, LiveRun]:
    body = await body_of(request, RunCreate)
    return body, await runs_of(request, runtime).create(body, actor, trace_id, thread_id, **kwargs)


@router.post("/threads/{thread_id}/runs")
async def create_run(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                     trace_id: TraceId) -> Response:
    """A background run; poll it, join it, or stream it."""
    _, live = await _create(request, runtime, actor, trace_id, thread_id, background=True)
    return json_response(shapes.run(live.row), headers={"Content-Location": _where(thread_id, live.run_id)})


@router.post("/threads/{thread_id}/runs/stream")
async def stream_run(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                     trace_id: TraceId) -> Response:
    """A run streamed as Server-Sent Events (metadata first)."""
    return await _stream(request, runtime, actor, trace_id, thread_id)


@router.post("/runs/stream")
async def stream_stateless(request: Request, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Response:
    """A run on a fresh thread, streamed (the thread is deleted after, unless on_completion=keep)."""
    return await _stream(request, runtime, actor, trace_id, None)


async def _stream(request: Request, runtime: Runtime, actor: Actor, trace_id: str, thread_id: str | None) -> Response:
    hold = asyncio.Event()
    body, live = await _create(request, runtime, actor, trace_id, thread_id, hold=hold)
    where = _where(thread_id, live.run_id)
    return StreamingResponse(_sse(live, -1, body.stream_resumable, [], hold), media_type="text/event-stream",
                             headers={"Location": f"{where}/stream", "Content-Location": where,
                                      "Cache-Control": "no-store"})


async def _sse(live: LiveRun, after: int, ids: bool, modes: list[str],
               hold: asyncio.Event | None = None) -> AsyncIterator[bytes]:
    try:
        async for item in live.follow(after):
            if item is None:
                yield HEARTBEAT
            elif _wanted(item[1], modes):
                yield frame(item[1], item[2], str(item[0]) if ids else None)
            if hold is not None:
                hold.set()  # the first event is out: the turn may take the CPU
    finally:
        if hold is not None:
            hold.set()


def _wanted(event: str, modes: list[str]) -> bool:
    return not modes or event in ("metadata", "error") or _MODE_OF.get(event, event) in modes


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(thread_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                   trace_id: TraceId) -> Response:
    """A run, answered with its final values (or `__interrupt__`, or `__error__`)."""
    _, live = await _create(request, runtime, actor, trace_id, thread_id, values=True)
    await live.done.wait()
    return await _final(runtime, live, _where(thread_id, live.run_id))


@router.post("/runs/wait")
async def wait_stateless(request: Request, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Response:
    """A run on a fresh thread, answered with its final values."""
    _, live = await _create(request, runtime, actor, trace_id, None, values=True)
    await live.done.wait()
    return await _final(runtime, live, _where(None, live.run_id))


@router.post("/runs")
async def create_stateless(request: Request, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Response:
    """A background run on a fresh thread."""
    _, live = await _create(request, runtime, actor, trace_id, None, background=True)
    return json_response(shapes.run(live.row), headers={"Content-Location": _where(None, live.run_id)})


async def _final(runtime: Runtime, live: LiveRun, where: str) -> Response:
    errors = [b for e, b in live.frames if e == "error"]
    if errors:
        body = b'{"__error__":' + errors[-1] + b"}"
    elif live.values is not None:
        body = live.values
    else:
        body = dumps(await _thread_values(runtime, live.thread_id))
    return Response(body, media_type="application/json", headers={"Content-Location": where})


async def _thread_values(runtime: Runtime, thread_id: str) -> dict[str, Any]:
    snapshot = await runtime.runner.graph.aget_state({"configurable": {"thread_id": thread_id}})
    values = dict(snapshot.values or {})
    if interrupts := [i for t in snapshot.tasks for i in t.interrupts]:
        values["__interrupt__"] = interrupts
    return values


@router.get("/threads/{thread_id}/runs")
async def list_runs(thread_id: str, actor: CurrentActor, runtime: RuntimeDep, request: Request,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
                    offset: Annotated[int, Query(ge=0)] = 0, status: str | None = None) -> Response:
    """The thread's runs, newest first."""
    await owned(runtime, thread_id, actor)
    async with db_errors(), runtime.db.connection() as conn:
        rows = await store.list_runs(conn, thread_id=thread_id, owner=actor.user_id, status=status,
                                     limit=limit, offset=offset)
    live = {r.run_id: r.row for r in runs_of(request, runtime).registry.runs.values()
            if r.thread_id == thread_id and (status is None or r.row["status"] == status)}
    stored = {r["run_id"]: live.get(r["run_id"], r) for r in rows}  # live rows are fresher
    if offset == 0:  # the first page also lists live runs not written yet
        stored |= live
    ordered = sorted(stored.values(), key=lambda r: r["created_at"], reverse=True)[:limit]
    return json_response([shapes.run(r) for r in ordered])


async def _run(request: Request, runtime: Runtime, actor: Actor, thread_id: str | None,
               run_id: str) -> tuple[dict[str, Any], LiveRun | None]:
    live = runs_of(request, runtime).registry.runs.get(run_id)
    if live is not None and live.actor.user_id == actor.user_id and thread_id in (None, live.thread_id):
        return live.row, live
    async with db_errors(), runtime.db.connection() as conn:
        row = await store.get_run(conn, run_id=run_id, owner=actor.user_id, thread_id=thread_id)
    if row is None:
        raise NotFound(f"run {run_id} not found")
    return row, None


@router.get("/threads/{thread_id}/runs/{run_id}")
async def get_run(thread_id: str, run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """One run of the caller's thread."""
    row, _ = await _run(request, runtime, actor, thread_id, run_id)
    return json_response(shapes.run(row))


@router.get("/threads/{thread_id}/runs/{run_id}/join")
async def join_run(thread_id: str, run_id: str, request: Request, actor: CurrentActor,
                   runtime: RuntimeDep) -> Response:
    """Wait for the run to end; its final values."""
    row, live = await _run(request, runtime, actor, thread_id, run_id)
    where = _where(thread_id, run_id)
    if live is not None:
        await live.done.wait()
        return await _final(runtime, live, where)
    row = await _ended(runtime, actor, row)
    async with db_errors(), runtime.db.connection() as conn:
        events = await store.events_after(conn, run_id=run_id, after=-1)
    error = [e["data"] for e in events if e["event"] == "error"]
    values = [e["data"] for e in events if e["event"] == "values"]
    final = {"__error__": error[-1]} if error else values[-1] if values else await _thread_values(runtime, thread_id)
    return json_response(final, headers={"Content-Location": where})


async def _ended(runtime: Runtime, actor: Actor, row: dict[str, Any]) -> dict[str, Any]:
    """A run of another process, once it has ended (polled)."""
    while row["status"] not in _ENDED:
        await asyncio.sleep(POLL_S)
        async with db_errors(), runtime.db.connection() as conn:
            found = await store.get_run(conn, run_id=row["run_id"], owner=actor.user_id, thread_id=None)
        if found is None:
            raise NotFound(f"run {row['run_id']} not found")
        row = found
    return row


@router.get("/threads/{thread_id}/runs/{run_id}/stream")
async def join_stream(thread_id: str, run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                      last_event_id: Annotated[str | None, Header()] = None,
                      stream_mode: Annotated[str | None, Query()] = None) -> Response:
    """Rejoin a run's event stream; with `Last-Event-ID`, only the events after that one."""
    row, live = await _run(request, runtime, actor, thread_id, run_id)
    after = _after(last_event_id)
    modes = _modes(request.query_params.getlist("stream_mode"))
    if live is not None:
        source = _sse(live, after, True, modes)
    else:
        source = _stored(runtime, actor, row, after, modes)
    return StreamingResponse(source, media_type="text/event-stream", headers={"Cache-Control": "no-store"})


async def _stored(runtime: Runtime, actor: Actor, row: dict[str, Any], after: int,
                  modes: list[str]) -> AsyncIterator[bytes]:
    row = await _ended(runtime, actor, row)
    async with db_errors(), runtime.db.connection() as conn:
        events = await store.events_after(conn, run_id=row["run_id"], after=after)
    for e in events:
        if _wanted(e["event"], modes):
            yield frame(e["event"], dumps(e["data"]), str(e["seq"]))


def _after(last_event_id: str | None) -> int:
    if not last_event_id:
        return -1
    try:
        return int(last_event_id.split("-")[0])
    except ValueError as exc:
        raise InvalidInput("Last-Event-ID must be an event id of this run") from exc


def _modes(values: list[str]) -> list[str]:
    modes: list[str] = []
    for value in filter(None, values):  # the SDK sends an empty stream_mode for "all"
        try:
            parsed = orjson.loads(value) if value.startswith("[") else [value]
        except orjson.JSONDecodeError as exc:
            raise InvalidInput("stream_mode must be a mode or a JSON list of modes") from exc
        modes += [str(m) for m in parsed]
    return modes


@router.post("/threads/{thread_id}/runs/{run_id}/cancel", status_code=202)
async def cancel_run(thread_id: str, run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                     wait: Annotated[bool, Query()] = False,
                     action: Annotated[str, Query(pattern="^(interrupt|rollback)$")] = "interrupt") -> Response:
    """Cancel a run that has not started; a running turn completes (it is atomic, milliseconds)."""
    _, live = await _run(request, runtime, actor, thread_id, run_id)
    if live is not None and not live.started and not live.done.is_set():
        live.cancelled = action
    if live is not None and wait:
        await live.done.wait()
    return Response(status_code=202)
