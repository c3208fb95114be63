"""Creating and driving protocol runs: ownership, multitask strategy, the turn, its events."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graph.runner import TurnStopped
from server.errors import failure_of
from server.protocol import audit, events, records, shapes, store
from server.protocol.chat import Chat
from server.protocol.entry import place
from server.protocol.inputs import turn_request
from server.protocol.live import LiveRun, Registry
from server.protocol.schemas import RunCreate
from server.protocol.shapes import GRAPH_ID, assistant_id_of
from server.schemas import THREAD_ID
from server.turns import TurnLog
from tools.domain import Actor
from tools.errors import InvalidInput, NotFound, ThreadBusy, db_errors

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger("helpdesk.protocol")
BUSY_RETRY_S = 30.0  # how long an enqueued run waits for a lease held by another process
_RAW = ("values", "updates", "custom", "debug")
_STOPPED = {"interrupt": "interrupted", "rollback": "interrupted"}


class Runs:
    """The protocol's runs over one runtime's Runner (one per serving process)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.registry = Registry()

    async def create(self, body: RunCreate, actor: Actor, trace_id: str, thread_id: str | None, *,
                     hold: asyncio.Event | None = None, values: bool = False,
                     background: bool = False) -> LiveRun:
        """Check and queue a run; it starts at once unless its thread is busy (enqueue).

        The run's row is written before this returns when the run waits (a background or
        queued run); a streamed or awaited run that starts at once writes it alongside its
        start (no commit before its first event), so other processes see it while it runs.
        """
        assistant_id = assistant_id_of(body.assistant_id)
        modes = body.modes() + (["values"] if values else [])
        tid = thread_id or str(uuid.uuid4())
        raw = ("updates", *(m for m in _RAW if m in modes and m != "updates"))  # updates: the reply
        if "events" in modes and "debug" not in raw:
            raw = (*raw, "debug")  # events are made from the debug chunks (tasks and results)
        req, dropped = turn_request(body, tid, raw)
        row = await self._claim(body, actor, tid, assistant_id, create=thread_id is None)
        await place(self.runtime, body, req, tid, row["status"])
        if not (req.message or req.confirm_token or req.decision):
            raise InvalidInput('a run needs {"messages": [a human message]} (or "message") as input, '
                               'or command.resume')
        busy = bool(row["leased"] or row["queued"]) or self.registry.busy(tid)
        if busy and body.multitask_strategy == "reject":
            raise ThreadBusy(f"thread {tid} is busy with another run (multitask_strategy=reject)",
                             retry_after=1)
        now = datetime.now(UTC)
        run = {"run_id": str(uuid.uuid4()), "thread_id": tid, "assistant_id": assistant_id,
               "status": "pending", "metadata": body.metadata or {}, "created_at": now, "updated_at": now,
               "kwargs": body.model_dump(mode="json", include={"input", "command", "stream_mode", "config",
                                                                "context", "checkpoint_id"}),
               "multitask_strategy": body.multitask_strategy}
        # events are kept for rejoins when the client asked (stream_resumable) or will come back
        live = LiveRun(run, actor, modes, body.multitask_strategy, resumable=body.stream_resumable or background)
        req.stop = live.stop
        prior = self.registry.enqueue(live)  # no await since the busy check: one process, one order
        live.emit("metadata", {"run_id": live.run_id, "attempt": 1})
        if background or busy or prior is not None:
            try:
                async with db_errors(), self.runtime.db.connection() as conn:
                    await store.put_run(conn, run=run, owner=actor.user_id)
            except BaseException:
                live.finish("error")
                self.registry.release(live)
                raise
        else:  # it starts at once: its row is written while its first event goes out
            live.written = self.runtime.spawn(records.insert(self.runtime, live))
        if dropped:
            self.runtime.spawn(audit.dropped(self.runtime, actor, tid, trace_id, dropped))
        if body.checkpoint_id or body.checkpoint:  # a fork the client asked for
            self.runtime.spawn(audit.note(self.runtime, actor, tid, trace_id, audit.FORKED,
                                          {"checkpoint_id": req.checkpoint_id, "run_id": live.run_id}))
        self.runtime.spawn(self._work(live, req, prior, trace_id, hold, stateless=thread_id is None,
                                      delete=body.on_completion == "delete"))
        return live

    async def _claim(self, body: RunCreate, actor: Actor, tid: str, assistant_id: str, *,
                     create: bool) -> dict[str, Any]:
        stamp = {"graph_id": GRAPH_ID, "assistant_id": assistant_id}
        if not re.match(THREAD_ID, tid):
            raise NotFound(f"thread {tid} not found")
        async with db_errors(), self.runtime.db.connection() as conn:
            if create or body.if_not_exists == "create":
                await store.create_thread(conn, thread_id=tid, owner=actor.user_id,
                                          dept=actor.department, metadata={})
            row = await store.claim(conn, thread_id=tid, owner=actor.user_id, stamp=stamp)
        if row is None:
            raise NotFound(f"thread {tid} not found")
        return row

    async def _work(self, live: LiveRun, req: Any, prior: LiveRun | None, trace_id: str,
                    hold: asyncio.Event | None, *, stateless: bool, delete: bool) -> None:
        status = "error"
        try:
            if prior is not None:
                await prior.done.wait()
            status = await self._drive(live, req, trace_id, hold)
        finally:
            if live.cancelled == "rollback" and live.stop.stopped:
                await records.roll_back(self.runtime, live)  # before the run that rolled it back starts
            live.finish(status)
            self.registry.release(live)
            await records.record(self.runtime, live, status, stateless and delete)

    async def _drive(self, live: LiveRun, req: Any, trace_id: str, hold: asyncio.Event | None) -> str:
        deadline = asyncio.get_running_loop().time() + BUSY_RETRY_S
        delay = 0.02
        while True:
            if live.cancelled:  # by a later run's interrupt/rollback, or a cancel, before it started
                return "interrupted"
            try:
                await self._turn(live, req, trace_id, hold)
                return "success" if not live.stop.asked.is_set() else self._not_stopped(live)
            except TurnStopped as exc:
                return _STOPPED.get(live.cancelled or "", "interrupted") if str(exc) == "stopped" else "success"
            except ThreadBusy as exc:  # another process's turn holds the lease
                if live.started or live.strategy == "reject" or asyncio.get_running_loop().time() > deadline:
                    return self._error(live, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
            except Exception as exc:
                return self._error(live, exc)

    async def _turn(self, live: LiveRun, req: Any, trace_id: str, hold: asyncio.Event | None) -> None:
        chat, turn_log = Chat(live, f"ai-{trace_id}"), TurnLog(live.actor)  # metrics and log, as /agent
        try:
            async for name, data in self.runtime.runner.stream(req, live.actor, trace_id=trace_id, hold=hold):
                turn_log.see(name, data)
                self._event(live, chat, name, data)
                if name == "result":
                    turn_log.done(data, None)
        except Exception as exc:
            if not isinstance(exc, ThreadBusy):
                turn_log.done(None, exc)
            raise

    def _event(self, live: LiveRun, chat: Chat, name: str, data: Any) -> None:
        """One runner event as the protocol's events."""
        if name == "metadata":  # the runner holds the thread's lease: the turn is on
            live.started, live.runner_run_id = True, data["run_id"]
            live.row = {**live.row, "status": "running"}
            if live.written is None:  # its row was written `pending` (queued or background)
                live.written = self.runtime.spawn(records.mark_running(self.runtime, live))
        elif name == "graph:debug":
            if "debug" in live.modes:
                live.emit("debug", shapes.debug(data))
            if "events" in live.modes:
                for event in events.of_debug(data):
                    live.emit("events", event)
        elif name == "token" and "events" in live.modes:
            live.emit("events", events.token(data["text"], chat.id))
        elif name.startswith("graph:") and name[6:] in live.modes:
            live.emit(name[6:], data)
        if name == "graph:updates" and isinstance(data.get("finalize"), dict):
            chat.reply(data["finalize"].get("result") or {})
        elif name == "token":
            chat.token(data["text"])

    @staticmethod
    def _not_stopped(live: LiveRun) -> str:
        """Asked to stop, but a node that commits rows had run: the turn finished; say so."""
        log.info("protocol run %s could not be interrupted: it had written rows", live.run_id)
        live.row = {**live.row, "metadata": {**live.row["metadata"], "interrupt_refused":
                    "the run had already written to the database; it was completed, not interrupted"}}
        live.cancelled = None
        return "success"

    def _error(self, live: LiveRun, exc: BaseException) -> str:
        failure = failure_of(exc)
        if failure.code.value == "INTERNAL":
            log.error("protocol run %s failed", live.run_id, exc_info=exc)
        live.emit("error", {"error": failure.code.value, "message": failure.message})
        return "error"
