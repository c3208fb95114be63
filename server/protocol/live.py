"""Runs in this process: their event log, followers, and the multitask queue of each thread.

Each run is driven by a task of its own through `Runner.stream`, so a client that goes away
does not stop it; its events are kept in memory while it is live and written to Postgres when
it ends, so any process can replay them after a `Last-Event-ID`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from graph.runner import Stop
from server.protocol.wire import dumps, plain
from tools.domain import Actor

Frame = tuple[int, str, bytes]


@dataclass(eq=False)
class LiveRun:
    """One run: its row, what the client asked to stream, and its growing event log."""

    row: dict[str, Any]
    actor: Actor
    modes: list[str]
    strategy: str
    resumable: bool = True  # whether its events are kept in Postgres (for Last-Event-ID rejoins)
    frames: list[tuple[str, bytes]] = field(default_factory=list)
    pulse: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    started: bool = False
    cancelled: str | None = None  # "interrupt" or "rollback", when cancelled (see Registry.stop)
    stop: Stop = field(default_factory=Stop)  # asks the running turn to stop at a node boundary
    runner_run_id: str = ""  # the runner's id of the turn (in its checkpoint's metadata)
    written: asyncio.Task[None] | None = None  # the insert of its row, when it started at once
    values: bytes | None = None  # the last values event (the result of runs.wait / join)
    _messages: dict[int, Any] = field(default_factory=dict)  # dumped messages, by object identity

    @property
    def run_id(self) -> str:
        """The run's id."""
        return str(self.row["run_id"])

    @property
    def thread_id(self) -> str:
        """The run's thread."""
        return str(self.row["thread_id"])

    def emit(self, event: str, data: Any) -> None:
        """Append one event and wake the followers."""
        if event == "values" and isinstance(data, dict) and data.get("messages"):
            # every superstep's values repeat the same message objects: dump each one once
            data = {**data, "messages": [self._message(m) for m in data["messages"]]}
        body = dumps(data)
        if event == "values":
            self.values = body
        self.frames.append((event, body))
        self._wake()

    def _message(self, message: Any) -> Any:
        key = id(message)
        if (dumped := self._messages.get(key)) is None or dumped[0] is not message:
            dumped = self._messages[key] = (message, plain(message))
        return dumped[1]

    def finish(self, status: str) -> None:
        """Mark the run ended with `status`."""
        self.row = {**self.row, "status": status}
        self.done.set()
        self._wake()

    def _wake(self) -> None:
        pulse, self.pulse = self.pulse, asyncio.Event()
        pulse.set()

    async def follow(self, after: int = -1, heartbeat_s: float = 5.0) -> AsyncIterator[Frame | None]:
        """Events after sequence number `after`, as they come, until the run ends; None after
        `heartbeat_s` without one (the caller sends a heartbeat)."""
        seq = after + 1
        while True:
            pulse = self.pulse
            while seq < len(self.frames):
                event, body = self.frames[seq]
                yield seq, event, body
                seq += 1
            if self.done.is_set():
                return
            try:
                await asyncio.wait_for(pulse.wait(), heartbeat_s)
            except TimeoutError:
                yield None

    def stored_events(self) -> list[dict[str, Any]]:
        """The event log as rows of protocol_run_events."""
        return [{"seq": i, "event": e, "data": _json(b)} for i, (e, b) in enumerate(self.frames)]


def _json(body: bytes) -> Any:
    import orjson

    return orjson.loads(body)


@dataclass
class Registry:
    """Live runs by id, and the last run queued on each thread (enqueue order)."""

    runs: dict[str, LiveRun] = field(default_factory=dict)
    tails: dict[str, LiveRun] = field(default_factory=dict)
    keep_s: float = 30.0  # how long a finished run stays in memory (then Postgres answers)
    most: int = 2000  # at most this many finished runs stay in memory

    def busy(self, thread_id: str) -> bool:
        """Whether a run of this process is queued or running on the thread."""
        tail = self.tails.get(thread_id)
        return tail is not None and not tail.done.is_set()

    def enqueue(self, live: LiveRun) -> LiveRun | None:
        """Register a new run last on its thread; the run it must wait for, if any.

        multitask `interrupt`/`rollback` cancel the thread's other runs: those not started yet,
        and the running one at its next node boundary (see Stop).
        """
        if live.strategy in ("interrupt", "rollback"):
            for other in list(self.runs.values()):
                if other.thread_id == live.thread_id and other.cancelled is None and not other.done.is_set():
                    cancel(other, live.strategy)
        prior = self.tails.get(live.thread_id)
        self.tails[live.thread_id] = live
        self.runs[live.run_id] = live
        return prior if prior is not None and not prior.done.is_set() else None

    def release(self, live: LiveRun) -> None:
        """The run ended: free its thread's queue slot; forget it after `keep_s`."""
        if self.tails.get(live.thread_id) is live:
            del self.tails[live.thread_id]
        if live.cancelled == "rollback":  # a rolled-back run is deleted, as in langgraph-api
            self.runs.pop(live.run_id, None)
            return
        asyncio.get_running_loop().call_later(self.keep_s, self.runs.pop, live.run_id, None)
        if len(self.runs) > self.most:  # oldest first: dicts keep insertion order
            for run_id in [r.run_id for r in self.runs.values() if r.done.is_set()][:len(self.runs) - self.most]:
                del self.runs[run_id]


def cancel(live: LiveRun, action: str) -> None:
    """Cancel a run (action interrupt or rollback): at once if it has not started, else at its
    next node boundary, unless it has already written rows (then it finishes)."""
    if live.done.is_set():
        return
    live.cancelled = action
    live.stop.asked.set()
