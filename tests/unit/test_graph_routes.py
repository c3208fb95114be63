"""The turn as graph/graph.py draws it: every route a router can take is an edge of the graph
(Studio draws them), and the routers pick them from the typed contract alone."""

from __future__ import annotations

from typing import Any

import pytest

from graph.graph import (
    after_finalize,
    after_gate,
    after_restore,
    after_router,
    after_validator,
    build_graph,
)
from tools.planner.plan import Plan as Call
from tools.planner.plan import PlanContext
from turn.contract import Confirm, Execute, Outcome, Plan, Reject, Reply, Resolved

ASKED = Outcome(status="NEED_MORE_INFO", intent="ticket_op", reply="which ticket?")


def edges() -> set[tuple[str, str, bool]]:
    return {(e.source, e.target, e.conditional) for e in build_graph().get_graph().edges}


def test_the_drawing_shows_the_whole_turn() -> None:
    drawn = edges()
    routed = {("context_restore", n) for n in ("confirm_gate", "global_router", "finalize")} | {
        ("confirm_gate", n) for n in ("execute_pending", "global_router", "finalize")} | {
        ("global_router", n) for n in ("ticket_subplanner", "validator", "finalize")} | {
        ("validator", n) for n in ("kb_answer", "create_ticket", "resume_draft", "ticket_tool",
                                   "finalize")} | {
        ("finalize", "await_confirmation"), ("finalize", "__end__")}
    assert {(s, t, True) for s, t in routed} <= drawn
    plain = {("__start__", "context_restore"), ("ticket_subplanner", "validator"),
             ("await_confirmation", "context_restore"),
             *((n, "finalize") for n in ("kb_answer", "create_ticket", "resume_draft",
                                         "ticket_tool", "execute_pending"))}
    assert {(s, t, False) for s, t in plain} <= drawn
    assert len(drawn) == len(routed) + len(plain), sorted(drawn)
    assert "-.->" in build_graph().get_graph().draw_mermaid()


def plan(route: Any, source: Any = "rules", tool: str | None = None) -> Plan:
    return Plan(call=Call(route=route, source=source, tool=tool), context=PlanContext())


def test_after_restore() -> None:
    assert after_restore({"outcome": ASKED}) == "finalize"
    assert after_restore({"message": "hello", "resolved": Resolved()}) == "global_router"
    assert after_restore({"message": "hello", "memory": {"pending_action_id": "a1"}}) == "confirm_gate"
    assert after_restore({"decision": "confirm"}) == "confirm_gate"


def test_after_gate() -> None:
    assert after_gate({"verdict": Execute(executor="execute_pending", pending_action_id="a1")}) \
        == "execute_pending"
    assert after_gate({"outcome": ASKED}) == "finalize"
    assert after_gate({}) == "global_router"


def test_after_router() -> None:
    assert after_router({"plan": plan("chitchat"), "outcome": ASKED}) == "finalize"
    assert after_router({"plan": plan("ticket_op", "llm")}) == "ticket_subplanner"
    assert after_router({"plan": plan("ticket_op", tool="get_ticket")}) == "validator"
    assert after_router({"plan": plan("kb_qa", "llm")}) == "validator"


@pytest.mark.parametrize("executor", ["kb_answer", "create_ticket", "resume_draft", "ticket_tool"])
def test_after_validator_runs_the_executor(executor: Any) -> None:
    assert after_validator({"verdict": Execute(executor=executor)}) == executor


def test_after_validator_ends_any_other_verdict() -> None:
    for verdict in (Reject(outcome=ASKED), Confirm(outcome=ASKED), Reply(outcome=ASKED)):
        assert after_validator({"verdict": verdict, "outcome": ASKED}) == "finalize"


def test_after_finalize() -> None:
    assert after_finalize({"memory": {"pending_action_id": "a1"}}) == "await_confirmation"
    assert after_finalize({"memory": {"pending_action_id": None}}) == "__end__"


def test_an_outcome_round_trips_as_json() -> None:
    """Outcomes are stored as JSON (a pending action's outcome, an action_id's effect)."""
    out = Outcome(status="OK", intent="confirm", reply="done", tool="escalate_ticket",
                  ticket={"ticket_id": "TCK-2026-AB12CD"}, replayed=True)
    assert Outcome.from_dict(out.as_dict()) == out
    assert Outcome.from_dict({**out.as_dict(), "unknown": 1, "reason": None}) == out
