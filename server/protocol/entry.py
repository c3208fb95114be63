"""Where a protocol run enters the graph: a new turn, a resume, a continuation, or a fork.

A run with `input: null` (or a resume) on a thread paused by interrupt_before/after runs the
nodes the paused turn has left; a run with `checkpoint_id` starts from that checkpoint's state
(a fork). Either way the input is what inputs.turn_request let through, so the restored memory
is only memory: every node re-checks it against the database (ownership, ticket status,
pending-action status, token and expiry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.runner import TurnRequest
from server.protocol.schemas import RunCreate
from tools.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from server.runtime import Runtime


def wanted_checkpoint(body: RunCreate) -> str | None:
    """The checkpoint a run forks from, if any."""
    return body.checkpoint_id or (body.checkpoint or {}).get("checkpoint_id")


async def place(runtime: Runtime, body: RunCreate, req: TurnRequest, tid: str, status: str) -> None:
    """Set `req.start` and `req.checkpoint_id` from the body and the thread's state."""
    resuming = body.command is not None and body.command.resume is not None
    given = body.input is not None or (body.command is not None and body.command.update is not None)
    checkpoint_id = wanted_checkpoint(body)
    if checkpoint_id is None and status == "interrupted":
        return  # the usual resume of an interrupt (or a new turn that supersedes it)
    if checkpoint_id is None and not resuming and given:
        return  # a new turn: nothing to look up
    snapshot = await _snapshot(runtime, tid, checkpoint_id)
    interrupted = any(t.interrupts for t in snapshot.tasks)
    if checkpoint_id is not None:
        if snapshot.config.get("configurable", {}).get("checkpoint_id") != checkpoint_id:
            raise NotFound(f"checkpoint {checkpoint_id} not found")
        req.checkpoint_id = checkpoint_id
    if resuming and interrupted:
        req.start = "resume"
    elif (resuming or not given) and snapshot.next:
        req.start = "continue"  # a paused turn: run what it has left
    elif not given and not resuming:
        raise InvalidInput("input is null but the thread has nothing left to run")
    else:
        req.start = "input"


async def _snapshot(runtime: Runtime, tid: str, checkpoint_id: str | None) -> Any:
    conf: dict[str, Any] = {"thread_id": tid, "checkpoint_ns": ""}
    if checkpoint_id:
        conf["checkpoint_id"] = checkpoint_id
    return await runtime.runner.graph.aget_state({"configurable": conf})
