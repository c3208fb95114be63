"""Reading runs: list, get, join (final values), rejoin a stream after `Last-Event-ID`, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response, StreamingResponse

from server.deps import CurrentActor, RuntimeDep
from server.protocol import shapes, store
from server.protocol.live import LiveRun, cancel
from server.protocol.runs import final, location_of, runs_of, sse, thread_values, wanted
from server.protocol.threads import owned
from server.protocol.wire import documented, dumps, frame, json_response
from server.runtime import Runtime
from tools.domain import Actor
from tools.errors import InvalidInput, NotFound, db_errors

router = APIRouter(tags=["langgraph: runs"])
POLL_S = 0.05
_ENDED = ("success", "error", "interrupted", "timeout")


@router.get("/threads/{thread_id}/runs", responses=documented(404))
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


@router.get("/threads/{thread_id}/runs/{run_id}", responses=documented(404))
async def get_run(thread_id: str, run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """One run of the caller's thread."""
    row, _ = await _run(request, runtime, actor, thread_id, run_id)
    return json_response(shapes.run(row))


@router.get("/runs/{run_id}", responses=documented(404))
async def get_stateless_run(run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """One of the caller's runs, by id alone (stateless runs have no thread to name)."""
    row, _ = await _run(request, runtime, actor, None, run_id)
    return json_response(shapes.run(row))


@router.get("/threads/{thread_id}/runs/{run_id}/join", responses=documented(404))
async def join_run(thread_id: str, run_id: str, request: Request, actor: CurrentActor,
                   runtime: RuntimeDep) -> Response:
    """Wait for the run to end; its final values."""
    row, live = await _run(request, runtime, actor, thread_id, run_id)
    location = location_of(thread_id, run_id)
    if live is not None:
        await live.done.wait()
        return await final(runtime, live, location)
    row = await _ended(runtime, actor, row)
    async with db_errors(), runtime.db.connection() as conn:
        events = await store.events_after(conn, run_id=run_id, after=-1)
    error = [e["data"] for e in events if e["event"] == "error"]
    values = [e["data"] for e in events if e["event"] == "values"]
    answer = {"__error__": error[-1]} if error else values[-1] if values else await thread_values(runtime, thread_id)
    return json_response(answer, headers={"Content-Location": location})


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


@router.get("/threads/{thread_id}/runs/{run_id}/stream", responses=documented(404, sse=True))
async def join_stream(thread_id: str, run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                      last_event_id: Annotated[str | None, Header()] = None,
                      stream_mode: Annotated[str | None, Query()] = None) -> Response:
    """Rejoin a run's event stream; with `Last-Event-ID`, only the events after that one."""
    row, live = await _run(request, runtime, actor, thread_id, run_id)
    after = _after(last_event_id)
    modes = _modes(request.query_params.getlist("stream_mode"))
    if live is not None:
        source = sse(live, after, True, modes)
    else:
        source = _stored(runtime, actor, row, after, modes)
    return StreamingResponse(source, media_type="text/event-stream", headers={"Cache-Control": "no-store"})


async def _stored(runtime: Runtime, actor: Actor, row: dict[str, Any], after: int,
                  modes: list[str]) -> AsyncIterator[bytes]:
    row = await _ended(runtime, actor, row)
    async with db_errors(), runtime.db.connection() as conn:
        events = await store.events_after(conn, run_id=row["run_id"], after=after)
    for e in events:
        if wanted(e["event"], modes):
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


@router.post("/threads/{thread_id}/runs/{run_id}/cancel", status_code=202, responses=documented(404, 409))
async def cancel_run(thread_id: str, run_id: str, request: Request, actor: CurrentActor, runtime: RuntimeDep,
                     wait: Annotated[bool, Query()] = False,
                     action: Annotated[str, Query(pattern="^(interrupt|rollback)$")] = "interrupt") -> Response:
    """Cancel a run: at once if it has not started, else at its next node boundary (a turn
    that has already written rows finishes instead); rollback also deletes it and its checkpoint."""
    _, live = await _run(request, runtime, actor, thread_id, run_id)
    if live is not None:
        cancel(live, action)
    if live is not None and wait:
        await live.done.wait()
    return Response(status_code=202)
