"""ticket_tool: run one validated, non-dangerous ticket tool."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from nodes.create_ticket import remember_effect, write_with_audit
from nodes.support import context_of, event, lang, outcome, services_of
from tools.handlers.ticket_ops import ToolOutcome, business_events, execute_tool
from tools.registry import TICKET_TOOLS
from tools.replies import say
from turn.context import Context
from turn.state import State


def tool_outcome(out: ToolOutcome, intent: str, tool: str) -> dict[str, Any]:
    """A handler's ToolOutcome as a node outcome."""
    return outcome(out.status, intent, out.reply, tool=tool, reason=out.reason,
                   ticket=out.ticket, tickets=out.tickets)


async def ticket_tool(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Execute the tool and write its audit rows in the same transaction."""
    started = time.perf_counter()
    svc = await services_of(runtime)
    verdict = state.get("verdict") or {}
    tool = TICKET_TOOLS[verdict["tool"]]
    actor, args = context_of(runtime).actor, verdict["args"]
    if tool.reads_only:  # nothing to write, so no transaction: its audit rows go with the turn's
        if seen := verdict.get("ticket"):  # answered from the row the validator just checked
            out = ToolOutcome("OK", say(tool.name, lang(state), **seen), ticket=seen)
        else:
            async with svc.db.connection() as conn:
                out = await execute_tool(conn, tool=tool, args=args, actor=actor, lang=lang(state))
        rows = [event(kind, target, result="OK", started=started, **payload)
                for kind, target, payload in business_events(out, tool.name, args)]
        return {"outcome": tool_outcome(out, "ticket_op", tool.name),
                "events": [*state.get("events", []), *rows]}
    async with svc.db.connection() as conn, conn.transaction():
        out = await execute_tool(conn, tool=tool, args=args, actor=actor, lang=lang(state))
        await write_with_audit(runtime, business_events(out, tool.name, args), conn, started, state)
        result = tool_outcome(out, "ticket_op", tool.name)
        await remember_effect(runtime, conn, result)
    return {"outcome": result}
