"""A turn as Server-Sent Events: metadata first, end last, errors inside the stream.

The turn's events are pumped by a task of its own, so the turn, its idempotency record and its
metrics complete even when the client goes away mid-stream.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.responses import JSONResponse, Response

from server.errors import failure_of
from server.events import encode
from server.idempotent import IdempotencyKey
from server.metrics import SSE_FIRST_EVENT
from server.runtime import Runtime
from server.turns import Event, TurnLog
from tools.domain import Actor
from tools.errors import ErrorCode, HelpdeskError

if TYPE_CHECKING:
    from graph.runner import TurnRequest

log = logging.getLogger("helpdesk.stream")
PING_S = 10
_END = object()
Finish = Callable[[dict[str, Any] | None, BaseException | None], Awaitable[None]]


class TurnPump:
    """Moves a turn's events into a queue; `frames()` turns the queue into SSE."""

    def __init__(self, events: AsyncIterator[Event], trace_id: str, finish: Finish,
                 sent: asyncio.Event) -> None:
        self.events, self.trace_id, self.finish, self.sent = events, trace_id, finish, sent
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def run(self) -> None:
        """Drain the turn; then report its result or error once."""
        result: dict[str, Any] | None = None
        error: BaseException | None = None
        try:
            async for name, data in self.events:
                result = data if name == "result" else result
                self.queue.put_nowait((name, data))
        except Exception as exc:
            error = exc
            self.queue.put_nowait(exc)
        finally:
            self.queue.put_nowait(_END)
        await self.finish(result, error)

    async def frames(self, first: Event, started: float) -> AsyncIterator[ServerSentEvent]:
        """Every event as SSE; exactly one result or error, and `end` last.

        `sent` is set once the first event is on the wire (or the stream is given up): the
        turn's run waits for it, so the first event never queues behind the graph's CPU.
        """
        try:
            yield self._encode(*first)
            SSE_FIRST_EVENT.observe(time.perf_counter() - started)
            self.sent.set()
            final, tokens = False, False
            while (item := await self.queue.get()) is not _END:
                if final:
                    continue  # nothing may follow the result or error but `end`
                if _is_result(item) and not tokens and item[1].get("reply"):
                    yield encode("token", {"text": item[1]["reply"]})  # rules mode: one token
                tokens = tokens or _is_token(item)
                frame, final = self._frame(item)
                yield frame
            if not final:
                yield self._error(HelpdeskError("the turn ended without a result"))
            yield encode("end", {})
        finally:
            self.sent.set()

    def _frame(self, item: Any) -> tuple[ServerSentEvent, bool]:
        if isinstance(item, BaseException):
            return self._error(item), True
        name, data = item
        return self._encode(name, data), name in ("result", "error")

    def _encode(self, name: str, data: dict[str, Any]) -> ServerSentEvent:
        try:
            return encode(name, data)
        except Exception as exc:  # a malformed event is a bug: report it inside the stream
            log.exception("could not encode a %s event", name)
            return self._error(exc)

    def _error(self, exc: BaseException) -> ServerSentEvent:
        return encode("error", failure_of(exc).body(self.trace_id))


def _is_result(item: Any) -> bool:
    return isinstance(item, tuple) and item[0] == "result"


def _is_token(item: Any) -> bool:
    return isinstance(item, tuple) and item[0] == "token"


def _finisher(
    runtime: Runtime, key: IdempotencyKey | None, turn_log: TurnLog, trace_id: str,
) -> Finish:
    async def finish(result: dict[str, Any] | None, error: BaseException | None) -> None:
        turn_log.done(result, error)
        if error is not None and failure_of(error).code is ErrorCode.UNAVAILABLE:
            runtime.recover_soon()
        try:
            if key is not None and result is not None:
                await key.complete(200, result)
            elif key is not None and error is not None:
                await key.fail(error, trace_id)
        except Exception:
            log.exception("could not record the idempotent response")

    return finish


async def _logged(events: AsyncIterator[Event], turn_log: TurnLog) -> AsyncIterator[Event]:
    async for name, data in events:
        turn_log.see(name, data)
        yield name, data


async def stream_turn(
    runtime: Runtime, req: TurnRequest, actor: Actor, *, key: IdempotencyKey | None,
    trace_id: str,
) -> Response:
    """The SSE response of a turn (or its stored response when `key` was used before)."""
    started = time.perf_counter()
    if key is not None and (replay := await key.claim()) is not None:
        return replay_stream(replay, trace_id)
    turn_log, sent = TurnLog(actor), asyncio.Event()
    events = runtime.runner.stream(req, actor, trace_id=trace_id, hold=sent)
    finish = _finisher(runtime, key, turn_log, trace_id)
    logged = _logged(events, turn_log)
    first = await _first(logged, finish)
    pump = TurnPump(logged, trace_id, finish, sent)
    runtime.spawn(pump.run())
    return EventSourceResponse(pump.frames(first, started), ping=PING_S)


async def _first(events: AsyncIterator[Event], finish: Finish) -> Event:
    """The first event, read in the request's own task so it is sent at once; ownership, busy
    and input errors raise here, before any byte, and become plain HTTP errors."""
    try:
        return await anext(events)
    except StopAsyncIteration:
        error: Exception = HelpdeskError("the turn produced no events")
    except Exception as exc:
        error = exc
    await finish(None, error)
    raise error


def replay_stream(stored: JSONResponse, trace_id: str) -> Response:
    """A stored result replayed as a short stream; a stored error stays a JSON error."""
    if stored.status_code != 200:
        return stored
    result = json.loads(bytes(stored.body))
    meta = {"thread_id": result["thread_id"], "trace_id": result["trace_id"], "run_id": "replay"}
    frames = [encode("metadata", meta), encode("result", result), encode("end", {})]
    return EventSourceResponse(_iterate(frames), ping=PING_S)


async def _iterate(frames: list[ServerSentEvent]) -> AsyncIterator[ServerSentEvent]:
    for frame in frames:
        yield frame
