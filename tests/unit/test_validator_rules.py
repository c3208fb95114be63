"""The validator's pure checks: registry schemas and the guard against a ticket row."""

from datetime import UTC, datetime

import pytest

from tools.domain import Actor, TicketRow
from tools.handlers.guards import guard
from tools.planner.plan import References
from tools.registry import TICKET_TOOLS, arg_errors, get_tool
from turn.checks import allowed_ticket_ids, ticket_fields
from turn.contract import Resolved

TID = "TCK-2026-AB12CD"


def ticket(status: str = "OPEN", owner: str = "alice", dept: str = "IT", level: int = 0) -> TicketRow:
    now = datetime.now(UTC)
    return TicketRow(ticket_id=TID, title="t", description="", category="network", priority="P3",
                     status=status, requester_id=owner, department=dept, assignee_id=None,
                     escalation_level=level, version=1, created_at=now, updated_at=now, comments=[])


ALICE = Actor("alice", "IT", "requester")
BOB = Actor("bob", "IT", "requester")
AGENT = Actor("carol", "IT", "agent")
OTHER_AGENT = Actor("dan", "HR", "agent")


@pytest.mark.parametrize(("tool", "status", "who", "reason"), [
    ("get_ticket", "OPEN", ALICE, None),
    ("get_ticket", "OPEN", BOB, "TICKET_NOT_FOUND"),
    ("get_ticket", "CLOSED", AGENT, None),
    ("get_ticket", "OPEN", OTHER_AGENT, "TICKET_NOT_FOUND"),
    ("cancel_ticket", "OPEN", ALICE, None),
    ("cancel_ticket", "RESOLVED", ALICE, "INVALID_TRANSITION"),
    ("cancel_ticket", "CANCELLED", ALICE, "INVALID_TRANSITION"),
    ("close_ticket", "OPEN", ALICE, "INVALID_TRANSITION"),
    ("close_ticket", "RESOLVED", ALICE, None),
    ("reopen_ticket", "RESOLVED", ALICE, None),
    ("reopen_ticket", "CLOSED", ALICE, "INVALID_TRANSITION"),
    ("resolve_ticket", "OPEN", ALICE, "FORBIDDEN"),
    ("resolve_ticket", "OPEN", AGENT, None),
    ("resolve_ticket", "RESOLVED", AGENT, "INVALID_TRANSITION"),
    ("update_ticket", "IN_PROGRESS", ALICE, None),
    ("update_ticket", "CLOSED", ALICE, "INVALID_TRANSITION"),
    ("add_comment", "CANCELLED", ALICE, "INVALID_TRANSITION"),
    ("escalate_ticket", "OPEN", BOB, "TICKET_NOT_FOUND"),
])
def test_guard(tool: str, status: str, who: Actor, reason: str | None) -> None:
    assert guard(TICKET_TOOLS[tool], ticket(status), who) == reason


def test_guard_missing_ticket_and_max_escalation() -> None:
    assert guard(TICKET_TOOLS["get_ticket"], None, ALICE) == "TICKET_NOT_FOUND"
    assert guard(TICKET_TOOLS["escalate_ticket"], ticket(level=3), ALICE) == "MAX_ESCALATION"
    assert guard(TICKET_TOOLS["list_my_tickets"], None, ALICE) is None


@pytest.mark.parametrize(("tool", "args", "ok"), [
    ("get_ticket", {"ticket_id": TID}, True),
    ("get_ticket", {"ticket_id": "TCK-26-1"}, False),
    ("get_ticket", {"ticket_id": TID, "extra": 1}, False),
    ("add_comment", {"ticket_id": TID, "comment": ""}, False),
    ("add_comment", {"ticket_id": TID, "comment": "hi"}, True),
    ("update_ticket", {"ticket_id": TID}, False),
    ("update_ticket", {"ticket_id": TID, "priority": "P9"}, False),
    ("update_ticket", {"ticket_id": TID, "priority": "P1"}, True),
    ("update_ticket", {"ticket_id": TID, "category": "plumbing"}, False),
    ("list_my_tickets", {"limit": 500}, False),
    ("list_my_tickets", {"status": "OPEN"}, True),
])
def test_args_schema(tool: str, args: dict, ok: bool) -> None:
    assert (arg_errors(TICKET_TOOLS[tool], args) == []) is ok


def test_registry_is_the_one_menu() -> None:
    assert get_tool("drop_database") is None
    dangerous = {n for n, t in TICKET_TOOLS.items() if t.needs_confirmation}
    assert dangerous == {"escalate_ticket", "cancel_ticket", "close_ticket"}
    for t in TICKET_TOOLS.values():
        schema = t.json_schema()["function"]
        assert schema["name"] == t.name and schema["parameters"]["type"] == "object"


def test_ticket_fields_reject_bad_values() -> None:
    assert ticket_fields({"category": "network", "x": 1}) == ({"category": "network"}, None)
    assert ticket_fields({"category": "plumbing"})[1] == "INVALID_ARGS"
    assert ticket_fields({"priority": "P0"})[1] == "INVALID_ARGS"


def test_only_ids_in_context_are_actionable() -> None:
    state = {"resolved": Resolved(ticket_id=TID, refs=References(ticket_ids=["TCK-2026-ZZZZZZ"])),
             "memory": {"recent_ticket_ids": ["TCK-2026-YYYYYY"]}}
    assert allowed_ticket_ids(state) == {TID, "TCK-2026-ZZZZZZ", "TCK-2026-YYYYYY"}
