"""The helpdesk graph: one conversational turn through the seed pipeline."""

from __future__ import annotations

from typing import Any

from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from graph.tracing import traced
from nodes.await_confirmation import await_confirmation
from nodes.confirm_gate import confirm_gate
from nodes.context_restore import context_restore
from nodes.create_ticket import create_ticket
from nodes.execute_pending import execute_pending
from nodes.finalize import finalize
from nodes.global_router import global_router
from nodes.kb_answer import kb_answer
from nodes.resume_draft import resume_draft
from nodes.ticket_subplanner import ticket_subplanner
from nodes.ticket_tool import ticket_tool
from nodes.validator import validator
from turn.context import Context
from turn.state import State, TurnInput

EXECUTORS = {"kb_answer": kb_answer, "create_ticket": create_ticket,
             "resume_draft": resume_draft, "ticket_tool": ticket_tool,
             "execute_pending": execute_pending}


def build_graph(checkpointer: Any = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the graph (Studio passes no checkpointer; the server passes its Postgres saver)."""
    g = traced(StateGraph(State, context_schema=Context, input_schema=TurnInput))
    g.add_node("context_restore", context_restore)
    g.add_node("confirm_gate", confirm_gate)
    g.add_node("global_router", global_router)
    g.add_node("ticket_subplanner", ticket_subplanner)
    g.add_node("validator", validator)
    for name, node in EXECUTORS.items():
        g.add_node(name, node)
        g.add_edge(name, "finalize")
    g.add_node("finalize", finalize)
    g.add_node("await_confirmation", await_confirmation)
    g.add_edge(START, "context_restore")
    g.add_edge("ticket_subplanner", "validator")
    return g.compile(checkpointer=checkpointer, name="helpdesk")


graph = build_graph()
