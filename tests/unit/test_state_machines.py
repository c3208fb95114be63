import pytest

from tools.domain import (
    DRAFT_TRANSITIONS,
    PENDING_TRANSITIONS,
    TICKET_TRANSITIONS,
    Actor,
    PendingStatus,
    can_transition_draft,
    can_transition_pending,
    can_transition_ticket,
    sources_of,
)

TICKET_CASES = [
    ("OPEN", "IN_PROGRESS", True), ("OPEN", "RESOLVED", True), ("OPEN", "CANCELLED", True),
    ("OPEN", "CLOSED", False), ("IN_PROGRESS", "RESOLVED", True), ("IN_PROGRESS", "CANCELLED", True),
    ("IN_PROGRESS", "CLOSED", False), ("RESOLVED", "CLOSED", True), ("RESOLVED", "OPEN", True),
    ("RESOLVED", "CANCELLED", False), ("CLOSED", "OPEN", False), ("CLOSED", "RESOLVED", False),
    ("CANCELLED", "OPEN", False), ("CANCELLED", "IN_PROGRESS", False),
]


@pytest.mark.parametrize(("current", "target", "allowed"), TICKET_CASES)
def test_ticket_transitions(current: str, target: str, allowed: bool) -> None:
    assert can_transition_ticket(current, target) is allowed


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("ACTIVE", "CONSUMED", True), ("ACTIVE", "DISCARDED", True), ("ACTIVE", "EXPIRED", True),
    ("CONSUMED", "ACTIVE", False), ("CONSUMED", "CONSUMED", False), ("EXPIRED", "CONSUMED", False),
])
def test_draft_transitions(current: str, target: str, allowed: bool) -> None:
    assert can_transition_draft(current, target) is allowed


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("PENDING", "CONFIRMED", True), ("PENDING", "CANCELLED", True), ("PENDING", "EXPIRED", True),
    ("PENDING", "SUPERSEDED", True), ("PENDING", "EXECUTED", False), ("CONFIRMED", "EXECUTED", True),
    ("CONFIRMED", "FAILED", True), ("CONFIRMED", "CANCELLED", False), ("EXECUTED", "CONFIRMED", False),
    ("CANCELLED", "CONFIRMED", False), ("SUPERSEDED", "CONFIRMED", False), ("EXPIRED", "CONFIRMED", False),
])
def test_pending_transitions(current: str, target: str, allowed: bool) -> None:
    assert can_transition_pending(current, target) is allowed


@pytest.mark.parametrize("table", [TICKET_TRANSITIONS, DRAFT_TRANSITIONS, PENDING_TRANSITIONS])
def test_tables_cover_every_status_and_stay_inside_the_enum(table: dict) -> None:
    statuses = set(type(next(iter(table))))
    assert set(table) == statuses
    for targets in table.values():
        assert targets <= statuses


def test_terminal_states() -> None:
    assert {s.value for s, nxt in TICKET_TRANSITIONS.items() if not nxt} == {"CLOSED", "CANCELLED"}
    assert {s.value for s, nxt in PENDING_TRANSITIONS.items() if not nxt} == {
        "EXECUTED", "FAILED", "CANCELLED", "EXPIRED", "SUPERSEDED"}


def test_consume_update_only_leaves_pending() -> None:
    assert sources_of(PendingStatus.CONFIRMED) == ("PENDING",)
    assert set(sources_of(PendingStatus.EXECUTED)) == {"CONFIRMED"}


@pytest.mark.parametrize(("role", "dept", "user", "visible"), [
    ("requester", "IT", "alice", True), ("requester", "IT", "bob", False),
    ("agent", "IT", "bob", True), ("agent", "HR", "bob", False), ("agent", "HR", "alice", True),
    ("admin", "HR", "bob", True),
])
def test_visibility(role: str, dept: str, user: str, visible: bool) -> None:
    # the ticket belongs to alice in IT
    who = Actor("alice" if user == "alice" else "bob", dept, role)  # type: ignore[arg-type]
    assert who.can_see_ticket("alice", "IT") is visible
