"""Turn a model's answer into a `Plan`, or an `LlmFailure` (malformed / hallucinated_tool)."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage
from pydantic import ValidationError

from tools.llm.failure import LlmFailure
from tools.planner.plan import Plan
from tools.registry import TICKET_TOOLS


def text_of(message: AIMessage) -> str:
    """The message's text content (string or text blocks)."""
    if isinstance(message.content, str):
        return message.content
    return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in message.content)


def _json_object(raw: str) -> dict[str, Any]:
    body = raw.strip()
    if body.startswith("```"):  # some endpoints wrap JSON mode output in a code fence
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise LlmFailure("malformed", f"plan is not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise LlmFailure("malformed", "plan is not a JSON object")
    return data


def plan_from_json(message: AIMessage) -> Plan:
    """A global plan from structured output. A ticket tool outside the registry is rejected."""
    data = _json_object(text_of(message))
    data["source"] = "llm"
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise LlmFailure("malformed", f"plan does not match the schema: {problem}") from exc
    if plan.route != "ticket_op":
        return plan.model_copy(update={"tool": None})
    if plan.tool is None:
        return plan
    tool = TICKET_TOOLS.get(plan.tool)
    if tool is None:
        raise LlmFailure("hallucinated_tool", f"no ticket tool named {plan.tool!r}",
                         tool=plan.tool)
    # the model may ask for more confirmation than the registry, never for less
    return plan.model_copy(update={"need_confirmation": plan.need_confirmation
                                   or tool.needs_confirmation})


def plan_from_tool_call(message: AIMessage) -> Plan:
    """A ticket_op plan from the first tool call; unknown tool → `hallucinated_tool`."""
    if message.invalid_tool_calls:
        raise LlmFailure("malformed", "tool call arguments are not valid JSON")
    if not message.tool_calls:
        raise LlmFailure("malformed", "the model called no tool")
    call = message.tool_calls[0]
    tool = TICKET_TOOLS.get(call["name"])
    if tool is None:
        raise LlmFailure("hallucinated_tool", f"no ticket tool named {call['name']!r}",
                         tool=call["name"])
    return Plan(route="ticket_op", tool=tool.name, args=dict(call["args"]),
                need_confirmation=tool.needs_confirmation, rationale="ticket tool call",
                source="llm")
