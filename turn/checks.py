"""The validator's pure checks, which the planners also run ahead of it (hybrid)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.domain import CATEGORIES, PRIORITIES, given_fields
from tools.planner import plan as planner
from tools.registry import TicketTool
from turn.state import resolved_of


def ticket_fields(args: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Only well-formed ticket fields; a bad category/priority is an INVALID_ARGS reason."""
    fields = given_fields(args)
    if fields.get("category") and fields["category"] not in CATEGORIES:
        return fields, "INVALID_ARGS"
    if fields.get("priority") and fields["priority"] not in PRIORITIES:
        return fields, "INVALID_ARGS"
    return fields, None


def allowed_ticket_ids(state: Mapping[str, Any]) -> set[str]:
    """Ticket ids this turn may act on: what the person named or the thread already knows."""
    resolved = resolved_of(state)
    memory = state.get("memory") or {}
    ids = {resolved.ticket_id, memory.get("ticket_id"), *resolved.refs.ticket_ids,
           *(memory.get("recent_ticket_ids") or [])}
    return {i for i in ids if i}


def tool_args(tool: TicketTool, call: planner.Plan, state: Mapping[str, Any]) -> dict[str, Any]:
    """The plan's args, with the context's ticket id filled in where the tool needs one."""
    args = {k: v for k, v in call.args.items() if v is not None}
    ticket_id = resolved_of(state).ticket_id
    if tool.needs_ticket and not args.get("ticket_id") and ticket_id:
        args["ticket_id"] = ticket_id
    if not tool.needs_ticket:
        args.pop("ticket_id", None)  # context, not an argument, for tools on no one ticket
    return args
