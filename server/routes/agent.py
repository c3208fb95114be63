"""POST /agent and /agent/stream: one turn, as JSON or as Server-Sent Events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from graph.result import TurnResult
from server.deps import CurrentActor, RuntimeDep, TraceId
from server.idempotent import key_for, run_once
from server.openapi import SSE_RESPONSE, TURN, errors
from server.schemas import AgentRequest
from server.streaming import stream_turn
from server.turns import agent_turn, run_turn

router = APIRouter(tags=["agent"])


@router.post("/agent", response_model=TurnResult, responses=errors(*TURN))
async def agent(
    body: AgentRequest, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId,
) -> Any:
    """Run one turn and return the unified result (business refusals are `REJECTED`)."""
    key = key_for(runtime, actor, "turn", body)
    return await run_once(key, trace_id,
                          lambda: run_turn(runtime, agent_turn(body), actor, trace_id))


@router.post("/agent/stream", response_class=Response, responses={**SSE_RESPONSE, **errors(*TURN)})
async def agent_stream(
    body: AgentRequest, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId,
) -> Response:
    """The same turn as Server-Sent Events (see the `SseEvent` schema)."""
    key = key_for(runtime, actor, "turn", body)
    return await stream_turn(runtime, agent_turn(body), actor, key=key, trace_id=trace_id)
