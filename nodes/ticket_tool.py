"""ticket_tool: run one validated, non-dangerous ticket tool."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from tools.domain import AuditEventType
from tools.handlers.ticket_ops import ToolOutcome, business_events, execute_tool
from tools.registry import TICKET_TOOLS
from tools.replies import say
from turn.context import Context
from turn.effects import remember_effect, tool_outcome, write_with_audit
from turn.state import State, execution_of
from turn.support import context_of, event, lang, services_of


async def ticket_tool(state: State, runtime: Runtime[Context]) -> State:
    """Execute the tool and write its audit rows in the same transaction."""
    started = time.perf_counter()
    svc = services_of(runtime)
    verdict = execution_of(state)
    tool = TICKET_TOOLS[str(verdict.tool)]
    actor, args = context_of(runtime).actor, dict(verdict.args)
    if tool.reads_only:  # nothing to write, so no transaction: its audit rows go with the turn's
        if seen := verdict.ticket:  # answered from the row the validator just checked
            out = ToolOutcome("OK", say(tool.name, lang(state), **seen), ticket=seen)
        else:
            async with svc.db.connection() as conn:
                out = await execute_tool(conn, tool=tool, args=args, actor=actor, lang=lang(state))
        rows = [event(AuditEventType(kind), target, result="OK", started=started, **payload)
                for kind, target, payload in business_events(out, tool.name, args)]
        return {"outcome": tool_outcome(out, "ticket_op", tool.name),
                "events": [*state.get("events", []), *rows]}
    async with svc.db.connection() as conn, conn.transaction():
        out = await execute_tool(conn, tool=tool, args=args, actor=actor, lang=lang(state))
        await write_with_audit(runtime, business_events(out, tool.name, args), conn, started, state)
        result = tool_outcome(out, "ticket_op", tool.name)
        await remember_effect(runtime, conn, result)
    return {"outcome": result}
