"""Runs turns on the compiled graph: thread ownership, one run per thread, resume vs new input.

The server calls this and nothing else; it knows nothing of HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from langgraph.types import Command

from checkpoints.saver import LATEST_CHECKPOINT
from graph.recovery import DOMAIN_WRITERS, Recovered, new_thread_id, refusal_of, responder
from graph.result import TurnResult
from graph.tracing import NodeClock
from tools import failpoints, tracing
from tools.crud import threads as crud_threads
from tools.crud.leases import Heartbeat
from tools.crud.threads import Lease
from tools.domain import Actor, ThreadStatus
from tools.errors import (
    DATABASE_UNREACHABLE,
    HelpdeskError,
    InvalidInput,
    NotFound,
    ThreadBusy,
    Unavailable,
    database_down,
    db_errors,
)
from tools.failpoints import Point
from tools.limits import MESSAGE_MAX
from tools.settings import Mode
from turn.context import Context
from turn.contract import Outcome
from turn.services import Services
from turn.writes import TURN_WRITES, TurnWrites

log = logging.getLogger("helpdesk.runner")

Event = tuple[str, dict[str, Any]]
_DONE = object()
HOLD_S = 0.25  # the longest a streamed run waits for its consumer's go-ahead (see stream())
WRITERS = DOMAIN_WRITERS | {"confirm_gate", "validator", "finalize", "await_confirmation"}
"""Nodes that may commit rows of their own (pending actions, tickets, drafts): once one of them
has run, a turn is not stopped before its end (Stop)."""
Start = Literal["auto", "input", "resume"]


@dataclass
class Stop:
    """Asks a running turn to stop at its next node boundary (a protocol run interrupted or
    cancelled). `stopped`: it did; `too_late`: a WRITERS node had run, so the turn went on."""

    asked: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: bool = False
    too_late: bool = False


class TurnStopped(Exception):  # an outcome, not a failure
    """The turn stopped before finalize: at interrupt_before/after ("paused"), or asked ("stopped")."""


@dataclass(kw_only=True)
class TurnRequest:
    """One turn as a caller asks for it (POST /agent or a resume)."""

    message: str | None = None
    thread_id: str | None = None
    mode: Mode | None = None
    confirm_token: str | None = None
    ticket_id: str | None = None
    draft_id: str | None = None
    decision: Literal["confirm", "cancel"] | None = None
    graph_modes: tuple[str, ...] = ()
    """LangGraph stream modes whose raw chunks to pass on as ("graph:<mode>", chunk) events
    (the LangGraph Server protocol routes)."""
    interrupt_before: list[str] | Literal["*"] | None = None
    interrupt_after: list[str] | Literal["*"] | None = None
    checkpoint_id: str | None = None
    """Fork: start from this checkpoint of the thread instead of its latest."""
    start: Start = "auto"
    """How the input enters the graph: "auto" (by the thread's status), "input" (a new turn),
    "resume" (an interrupt's answer)."""
    stop: Stop | None = None
    action_id: str | None = None
    """The caller's idempotency key: a replay after a crash finishes what the first attempt
    committed instead of acting again, and the response is stored with the turn's checkpoint."""

    def graph_input(self) -> dict[str, Any]:
        """The graph's TurnInput for this request."""
        return {"message": self.message, "confirm_token": self.confirm_token,
                "ticket_id": self.ticket_id, "draft_id": self.draft_id, "decision": self.decision}

    def entry(self, lease: Lease | Recovered) -> Any:
        """What astream gets: the input, a Command resuming or jumping in, or None (continue)."""
        start = self.start
        if start == "auto":
            start = "resume" if lease.status == ThreadStatus.INTERRUPTED else "input"
        if start == "resume":
            return Command(resume=self.graph_input())
        if lease.settled and self.checkpoint_id is None:
            # The last turn ended cleanly, so nothing of it is left to run: this turn's input is
            # written and the run starts at context_restore, skipping the __start__ step that
            # only copies the input into the state (one superstep, ~0.5 ms, less per turn). A
            # thread whose last run stopped early is not settled: its input goes through
            # __start__, which drops whatever that run left unfinished.
            return Command(update=self.graph_input(), goto="context_restore")
        return self.graph_input()

    def options(self, config: dict[str, Any], run_id: str) -> dict[str, Any]:
        """The protocol's extras of astream: fork address, static interrupts, the run's id in
        its checkpoint's metadata (so a rolled-back run's checkpoint can be found)."""
        if self.checkpoint_id:
            config["configurable"]["checkpoint_id"] = self.checkpoint_id
        config["metadata"] = {"run_id": run_id}
        return {"interrupt_before": self.interrupt_before, "interrupt_after": self.interrupt_after}


class Runner:
    """Turns, streams and thread views over one compiled graph and its services."""

    def __init__(self, services: Services, graph: Any) -> None:
        self.services = services
        self.graph = graph
        self._background: set[asyncio.Task[Any]] = set()
        self.heartbeat = Heartbeat(services.db, ttl_s=services.settings.thread_lease_s)

    async def run(self, req: TurnRequest, actor: Actor, *, trace_id: str,
                  timings: dict[str, float] | None = None) -> TurnResult:
        """Run one turn to its end (or its interrupt) and return the unified result.

        The graph runs in its own task, shielded: a caller that goes away does not stop it.
        `timings`, if given, receives the ms each node took.
        """
        thread_id, run_id, lease = await self._start(req, actor, trace_id)
        task = self._spawn(self._drive(req, thread_id, run_id, actor, trace_id, lease, None, False,
                                       timings))
        item = await asyncio.shield(task)
        if isinstance(item, BaseException):
            raise item
        return TurnResult.model_validate(item[1])

    async def stream(
        self, req: TurnRequest, actor: Actor, *, trace_id: str, tokens: bool = True,
        hold: asyncio.Event | None = None,
    ) -> AsyncIterator[Event]:
        """Events of one turn. Ownership/busy errors raise before the first event.

        The graph runs in its own task: a consumer that goes away does not stop the run, so the
        thread is left consistent and its lease released. With `hold`, the run starts once the
        consumer sets it (after sending the first event, say), or after HOLD_S: a graph run is
        milliseconds of CPU the consumer would otherwise wait behind.
        """
        thread_id, run_id, lease = await self._start(req, actor, trace_id)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._spawn(self._drive(req, thread_id, run_id, actor, trace_id, lease, queue, tokens,
                                hold=hold))
        yield "metadata", {"thread_id": thread_id, "trace_id": trace_id, "run_id": run_id}
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    async def _start(self, req: TurnRequest, actor: Actor,
                     trace_id: str) -> tuple[str, str, Lease | Recovered]:
        """Check the request and take the thread's lease: (thread_id, run_id, lease)."""
        _check(req)
        thread_id = req.thread_id or new_thread_id(actor, req.action_id)
        run_id = str(uuid.uuid4())
        tracing.bind(trace_id=trace_id, thread_id=thread_id)
        return thread_id, run_id, await self._lease(req, thread_id, run_id, actor, trace_id)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._background.add(task)  # referenced until done
        task.add_done_callback(self._background.discard)
        return task

    async def _lease(self, req: TurnRequest, thread_id: str, run_id: str, actor: Actor,
                     trace_id: str) -> Lease | Recovered:
        db, settings = self.services.db, self.services.settings
        if req.decision and req.thread_id:
            await owned_thread(self.services, thread_id, actor)  # resuming never creates a thread
        async with db_errors(), db.connection() as conn:
            lease, effect = await crud_threads.take_lease(
                conn, thread_id=thread_id, owner_id=actor.user_id, department=actor.department,
                title=req.message or "", run_id=run_id, trace_id=trace_id,
                lease_s=settings.thread_lease_s, action_id=req.action_id,
                rate=settings.turn_rate, burst=settings.turn_burst)
        if lease is not None:
            self.heartbeat.hold_run(run_id, thread_id)  # dropped when the run settles
            return lease if effect is None else Recovered(*lease, effect)
        await owned_thread(self.services, thread_id, actor)
        raise ThreadBusy(f"thread {thread_id} is running another turn; retry shortly",
                         retry_after=1)

    async def _drive(self, req: TurnRequest, thread_id: str, run_id: str, actor: Actor, trace_id: str,
                     lease: Lease | Recovered, queue: asyncio.Queue[Any] | None, tokens: bool,
                     timings: dict[str, float] | None = None, *,
                     hold: asyncio.Event | None = None) -> Any:
        """Run the turn: ("result", data) or the error, also put last on `queue`.

        The lease is released BEFORE the result or error is delivered: a client that sends its
        next turn the moment it reads this one's answer must not find the thread busy.
        """
        # Normally finalize queues the turn's record and the release on `writes`, and the saver
        # commits them with the checkpoint; whatever is left is written here. The closing release
        # commits with the checkpoint of a run that stopped before finalize: the thread keeps its
        # status and is not settled. (Runs are durability="exit": one checkpoint, at their end.)
        writes = TurnWrites(run_id=run_id, closing=crud_threads.release_statement(
            thread_id=thread_id, run_id=run_id, status=lease.status, settled=False),
            fence=crud_threads.hold_statement(thread_id=thread_id, run_id=run_id),
            respond=responder(actor, req.action_id))
        item = cast(Any, None)
        try:
            if hold is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(hold.wait(), HOLD_S)
            result = await self._execute(req, thread_id, actor, trace_id, lease, queue, tokens, writes,
                                         timings)
            failpoints.hit(Point.BEFORE_RESPONSE)
            item = ("result", result)
        except BaseException as exc:  # delivered to the consumer, never lost
            item = _translate(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            await self._settle(thread_id, writes, lease.status)
            if queue is not None:
                queue.put_nowait(item)
                queue.put_nowait(_DONE)
        return item

    async def _execute(self, req: TurnRequest, thread_id: str, actor: Actor, trace_id: str,
                       lease: Lease | Recovered,
                       queue: asyncio.Queue[Any] | None, tokens: bool, writes: TurnWrites,
                       timings: dict[str, float] | None) -> dict[str, Any]:
        # An earlier attempt of this action_id that committed its domain write, then died before
        # its turn's end, left that write's outcome: context_restore sends this turn straight to
        # finalize with it, acting on nothing again.
        recovered = Outcome.from_dict(lease.effect) if isinstance(lease, Recovered) else None
        ctx = Context(user_id=actor.user_id, department=actor.department, role=actor.role,
                      mode=req.mode, trace_id=trace_id, thread_id=thread_id,
                      services=self.services, action_id=req.action_id, recovered=recovered,
                      writes=writes)
        graph_input = req.entry(lease)
        config: dict[str, Any] = {"configurable": {"thread_id": thread_id, TURN_WRITES: writes,
                                                   LATEST_CHECKPOINT: lease.latest_checkpoint}}
        extras = req.options(config, writes.run_id)
        emit = queue.put_nowait if queue is not None else None
        result: dict[str, Any] | None = None
        interrupted: Event | None = None  # sent once the turn's end has committed
        paused = False
        ran: set[str] = set()
        clock = NodeClock(timings) if timings is not None else None
        # Closed explicitly: a turn stopped at a node boundary (TurnStopped below) leaves the
        # stream early, and the graph writes its exit checkpoint while closing. Left to the
        # garbage collector, that write could come after the lease went back, and be refused.
        stream = self.graph.astream(
            graph_input, config, context=ctx, durability="exit", **extras,
            # custom chunks carry generated tokens; without a token consumer, skip that channel
            stream_mode=[*(["updates", "custom"] if tokens else ["updates"]),
                         *(m for m in req.graph_modes if m not in ("updates", "custom"))],
        )
        async with contextlib.aclosing(stream):
            async for mode, chunk in stream:
                if emit and mode in req.graph_modes:
                    emit((f"graph:{mode}", chunk))
                if mode not in ("custom", "updates"):
                    continue
                if mode == "custom":
                    if emit and tokens and "token" in chunk:
                        emit(("token", {"text": chunk["token"]}))
                    continue
                for node, update in chunk.items():
                    ran.add(node)
                    if node == "__interrupt__" and not update:  # interrupt_before/after
                        paused = True
                        continue
                    if node == "__interrupt__":
                        value = update[0].value
                        interrupted = ("interrupt", {"pending_action": value.get("pending_action")})
                        continue
                    if node in DOMAIN_WRITERS:
                        failpoints.hit(Point.AFTER_DOMAIN_WRITE)
                    if emit:
                        emit(("step", {"node": node}))
                    if clock is not None:
                        clock.charge(node)
                    if node == "finalize" and update:
                        result = update["result"]
                _stop_here(req.stop, ran)
        if result is None:
            if paused:
                raise TurnStopped("paused")
            raise HelpdeskError("the turn ended without a result")
        if emit and interrupted:  # the graph has exited: its checkpoint holds the pending action
            emit(interrupted)
        return result

    async def _settle(self, thread_id: str, writes: TurnWrites, status: str) -> None:
        """Write what the checkpoint did not carry; at least give the lease back.

        Errors here are logged, never raised: the turn's own outcome is what the caller gets,
        and a lease left behind expires by itself.
        """
        self.heartbeat.drop_run(writes.run_id)  # a lease not released below lapses in seconds
        if writes.committed:
            return
        if writes.statements:  # finalize ran, but the checkpoint's transaction did not commit
            # The thread's latest checkpoint is not this turn's end, so it is not settled.
            unsettle = crud_threads.unsettle_statement(thread_id=thread_id)
            try:
                async with self.services.db.connection() as conn, conn.transaction():
                    for query, params in [*writes.pending(), unsettle]:
                        await conn.execute(query, params)
                return
            except Exception:
                log.warning("could not record the turn on thread %s", thread_id, exc_info=True)
        try:  # the thread's state did not move: its status stays what it was
            async with self.services.db.connection() as conn:
                await crud_threads.release_lease(conn, thread_id=thread_id, run_id=writes.run_id,
                                                 status=status, settled=False)
        except Exception:
            log.warning("could not release the lease of thread %s", thread_id, exc_info=True)


async def owned_thread(services: Services, thread_id: str, actor: Actor) -> Any:
    """The thread's row, if `actor` owns it; NotFound otherwise (never "someone else's")."""
    async with db_errors(), services.db.connection() as conn:
        row = await crud_threads.get_thread(conn, thread_id=thread_id)
    if row is None or row.owner_id != actor.user_id:
        raise NotFound(f"thread {thread_id} not found")
    return row


def _stop_here(stop: Stop | None, ran: set[str]) -> None:
    """At a node boundary: stop the turn if asked and no node that commits rows has run."""
    if stop is None or not stop.asked.is_set() or stop.too_late:
        return
    if ran & WRITERS:
        stop.too_late = True
        return
    stop.stopped = True
    raise TurnStopped("stopped")


def _check(req: TurnRequest) -> None:
    if not (req.message or req.confirm_token or req.decision):
        raise InvalidInput("message is required unless confirm_token is given")
    if req.message is not None and not 1 <= len(req.message) <= MESSAGE_MAX:
        raise InvalidInput(f"message must be 1 to {MESSAGE_MAX} characters")


def _translate(exc: BaseException) -> BaseException:
    if isinstance(exc, (HelpdeskError, asyncio.CancelledError)):
        return exc
    if (known := refusal_of(exc)) is not None:
        return known
    if database_down(exc):
        return Unavailable(DATABASE_UNREACHABLE, retry_after=1)
    return exc
