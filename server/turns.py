"""From HTTP bodies to runner turns and back: the request mapping, node timings, turn metrics."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from graph.result import TurnResult
from graph.tracing import NodeClock
from server.errors import failure_of
from server.metrics import TURN_ERRORS, TURNS
from server.schemas import AgentRequest, ResumeRequest
from tools.domain import Actor

if TYPE_CHECKING:
    from graph.runner import TurnRequest
    from server.runtime import Runtime

log = logging.getLogger("helpdesk.turn")
Event = tuple[str, dict[str, Any]]


def agent_turn(body: AgentRequest) -> TurnRequest:
    """The runner's request for POST /agent[/stream]."""
    from graph.runner import TurnRequest

    return TurnRequest(message=body.message, thread_id=body.thread_id, mode=body.mode,
                       confirm_token=body.confirm_token, ticket_id=body.ticket_id,
                       draft_id=body.draft_id, action_id=body.action_id)


def resume_turn(thread_id: str, body: ResumeRequest) -> TurnRequest:
    """The runner's request for POST /threads/{id}/resume[/stream]."""
    from graph.runner import TurnRequest

    return TurnRequest(thread_id=thread_id, decision=body.decision,
                       confirm_token=body.confirm_token, action_id=body.action_id)


class TurnLog:
    """Times the graph nodes of one turn as their step events arrive; logs and counts the end."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.clock = NodeClock()
        self.nodes = self.clock.times
        self.thread_id: str | None = None

    def see(self, name: str, data: dict[str, Any]) -> None:
        """Note one event."""
        if name == "step":
            self.clock.charge(str(data.get("node")))
            return
        if name == "metadata":
            self.thread_id = data.get("thread_id")
        self.clock.mark()

    def done(self, result: dict[str, Any] | None, error: BaseException | None) -> None:
        """Count and log the turn's outcome."""
        extra = {"actor": self.actor.user_id, "thread_id": self.thread_id, "nodes": self.nodes}
        if result is not None:
            TURNS.labels(result.get("status", "?"), result.get("mode_used", "?")).inc()
            log.info("turn %s", result.get("status"), extra=extra)
        elif error is not None:
            TURN_ERRORS.labels(failure_of(error).code.value).inc()
            log.info("turn failed: %s", failure_of(error).code.value, extra=extra)


async def run_turn(runtime: Runtime, req: TurnRequest, actor: Actor, trace_id: str) -> TurnResult:
    """Run a turn to its result, logging node timings."""
    turn_log = TurnLog(actor)
    try:
        result = await runtime.runner.run(req, actor, trace_id=trace_id, timings=turn_log.nodes)
    except Exception as exc:
        turn_log.done(None, exc)
        raise
    turn_log.thread_id = result.thread_id
    turn_log.done({"status": result.status, "mode_used": result.mode_used}, None)
    return result
