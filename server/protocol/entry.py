"""Where a protocol run enters the graph: a new turn, a resume, a continuation, or a fork.

A turn's scratch (plan, verdict, what it resolved) is never checkpointed, so a turn paused by
interrupt_before/after cannot pick up in the middle: continuing it (`input: null`, or a
resume, on a paused thread) runs the same turn again from the checkpoint it started from,
with the input it had, skipping the static interrupts it has already passed. A run with
`checkpoint_id` starts from that checkpoint's state (a fork). Either way the restored memory is
only memory: every node re-checks it against the database (ownership, ticket status,
pending-action status, token and expiry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.graph import EXECUTORS
from graph.runner import TurnRequest
from server.protocol.schemas import RunCreate
from tools.domain import ThreadStatus
from tools.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from server.runtime import Runtime

TURN_ORDER = ("context_restore", "confirm_gate", "global_router", "ticket_subplanner", "validator",
              *EXECUTORS, "finalize", "await_confirmation")
"""The nodes in the order a turn can reach them (every route goes forward in this list)."""
_INPUTS = ("message", "confirm_token", "ticket_id", "draft_id", "decision")


def wanted_checkpoint(body: RunCreate) -> str | None:
    """The checkpoint a run forks from, if any."""
    return body.checkpoint_id or (body.checkpoint or {}).get("checkpoint_id")


async def place(runtime: Runtime, body: RunCreate, req: TurnRequest, tid: str, status: str) -> None:
    """Set how `req` enters the graph (start, checkpoint, replayed input) from the body and the
    thread's state."""
    resuming = body.command is not None and body.command.resume is not None
    given = body.input is not None or (body.command is not None and body.command.update is not None)
    checkpoint_id = wanted_checkpoint(body)
    if checkpoint_id is None and (status == ThreadStatus.INTERRUPTED or (given and not resuming)):
        return  # the usual resume of an interrupt, or a new turn: nothing to look up
    snapshot = await _snapshot(runtime, tid, checkpoint_id)
    if checkpoint_id is not None:
        if snapshot.metadata is None or snapshot.config.get("configurable", {}).get("checkpoint_id") != checkpoint_id:
            raise NotFound(f"checkpoint {checkpoint_id} not found")
        req.checkpoint_id = checkpoint_id
    if resuming and any(t.interrupts for t in snapshot.tasks):
        req.start = "resume"
    elif (resuming or not given) and snapshot.next:
        _replay(req, snapshot)
    elif not given and not resuming:
        raise InvalidInput("input is null but the thread has nothing left to run")
    else:
        req.start = "input"


def _replay(req: TurnRequest, snapshot: Any) -> None:
    """Continue a paused turn: run it again from where it started, with its input."""
    values = snapshot.values or {}
    for key in _INPUTS:
        setattr(req, key, values.get(key))
    if not (req.message or req.confirm_token or req.decision):
        raise InvalidInput("the paused turn has no input to continue with")
    req.start = "input"
    parent = (snapshot.parent_config or {}).get("configurable", {}).get("checkpoint_id")
    req.checkpoint_id = parent  # None for a thread's first turn: its latest state, by __start__
    at = min(TURN_ORDER.index(n) for n in snapshot.next if n in TURN_ORDER)
    req.interrupt_before = _after(req.interrupt_before, at + 1)
    req.interrupt_after = _after(req.interrupt_after, at)


def _after(nodes: list[str] | str | None, first: int) -> list[str] | None:
    """The static interrupts a replay keeps: those from TURN_ORDER[first] on."""
    if not nodes:
        return None
    named = TURN_ORDER if nodes == "*" else nodes
    return [n for n in named if n not in TURN_ORDER or TURN_ORDER.index(n) >= first]


async def _snapshot(runtime: Runtime, tid: str, checkpoint_id: str | None) -> Any:
    conf: dict[str, Any] = {"thread_id": tid, "checkpoint_ns": ""}
    if checkpoint_id:
        conf["checkpoint_id"] = checkpoint_id
    return await runtime.runner.graph.aget_state({"configurable": conf})
