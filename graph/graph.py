"""The helpdesk graph: one conversational turn through the seed pipeline, drawn in full here.

    context_restore ─┬─> confirm_gate ─┬─> execute_pending ──────────────────────┐
                     │                 └─> global_router (as below)              │
                     ├─> global_router ─┬─> ticket_subplanner ─> validator        │
                     │                  └─> validator ─┬─> kb_answer ─────────────┤
                     │                                 ├─> create_ticket ─────────┤
                     │                                 ├─> resume_draft ──────────┤
                     │                                 └─> ticket_tool ───────────┤
                     └───────── (any step with an outcome) ───────────> finalize <┘
    finalize ─┬─> await_confirmation ─(the person's answer)─> context_restore
              └─> END

Nodes do their work and return state updates (the typed contract of turn.contract); the
routers below are pure functions of the state that pick the next node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Literal, TypeVar, get_args, get_type_hints

from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.graph import END, START, StateGraph
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
from turn.contract import Execute
from turn.gate import has_business
from turn.state import State, TurnInput

EXECUTORS = {"kb_answer": kb_answer, "create_ticket": create_ticket,
             "resume_draft": resume_draft, "ticket_tool": ticket_tool,
             "execute_pending": execute_pending}


def after_restore(state: State) -> Literal["confirm_gate", "global_router", "finalize"]:
    """An outcome already (a recovered action_id, an unresolvable reference) ends the turn;
    an answer to a pending action goes to the gate; anything else straight to planning."""
    if state.get("outcome") is not None:
        return "finalize"
    return "confirm_gate" if has_business(state) else "global_router"


def after_gate(state: State) -> Literal["execute_pending", "global_router", "finalize"]:
    """A confirmed action is carried out; a decided, refused or re-asked one ends the turn; a
    new request (superseding the action, or nothing was waiting) is planned."""
    if isinstance(state.get("verdict"), Execute):
        return "execute_pending"
    return "finalize" if state.get("outcome") is not None else "global_router"


def after_router(state: State) -> Literal["ticket_subplanner", "validator", "finalize"]:
    """Chitchat (or a REJECTED model plan) ends the turn; a model's ticket plan gets its tool
    from the sub-planner; every other plan meets the validator."""
    plan = state.get("plan")
    if state.get("outcome") is not None or plan is None:
        return "finalize"
    if plan.call.route == "ticket_op" and plan.call.source == "llm":
        return "ticket_subplanner"
    return "validator"


def after_validator(state: State) -> Literal["kb_answer", "create_ticket", "resume_draft",
                                             "ticket_tool", "finalize"]:
    """A plan that passed runs on its executor; any other verdict carries its outcome."""
    verdict = state.get("verdict")
    if isinstance(verdict, Execute) and verdict.executor != "execute_pending":
        return verdict.executor
    return "finalize"


def after_finalize(state: State) -> Literal["await_confirmation", "__end__"]:
    """While an action waits for the person, the thread waits at await_confirmation."""
    return "await_confirmation" if (state.get("memory") or {}).get("pending_action_id") else "__end__"


R = TypeVar("R", bound=str)


class Route(Runnable[State, R], Generic[R]):
    """A router as a graph edge calls it: a plain call of the pure function, without the
    callback run LangGraph wraps around a bare function (measured: ~0.1 ms per route, a tenth
    of a rules-mode turn over its routes)."""

    def __init__(self, route: Callable[[State], R]) -> None:
        self.route = route
        self.name = route.__name__

    def invoke(self, input: State, config: RunnableConfig | None = None, **kwargs: Any) -> R:
        """The route for this state."""
        return self.route(input)

    async def ainvoke(self, input: State, config: RunnableConfig | None = None,
                      **kwargs: Any) -> R:
        """The route for this state (pure and quick: no need to leave the event loop)."""
        return self.route(input)


def _wire(g: StateGraph[Any, Any, Any, Any], node: str, router: Callable[[State], str]) -> None:
    """Route out of `node` by `router`, to exactly the nodes its `Literal` return type names."""
    targets = [END if t == "__end__" else t for t in get_args(get_type_hints(router)["return"])]
    g.add_conditional_edges(node, Route(router), targets)


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
    g.add_node("finalize", finalize)
    g.add_node("await_confirmation", await_confirmation)

    g.add_edge(START, "context_restore")
    _wire(g, "context_restore", after_restore)
    _wire(g, "confirm_gate", after_gate)
    _wire(g, "global_router", after_router)
    g.add_edge("ticket_subplanner", "validator")
    _wire(g, "validator", after_validator)
    for name in EXECUTORS:
        g.add_edge(name, "finalize")
    _wire(g, "finalize", after_finalize)
    g.add_edge("await_confirmation", "context_restore")
    return g.compile(checkpointer=checkpointer, name="helpdesk")


graph = build_graph()
