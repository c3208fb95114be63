"""One shape per concept: what is written once is read from there, and what must mirror it does."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import PoolTimeout
from sqlalchemy import exc as sa_exc

from server.errors import failure_of
from server.responses import TicketOut
from server.schemas import AgentRequest
from tools.crud.audit import events_json
from tools.crud.drafts import TicketDraft
from tools.db.ids import DRAFT_ID_RE, TICKET_ID, TICKET_ID_RE, new_draft_id, new_ticket_id
from tools.domain import (
    REQUIRED_FIELDS,
    TICKET_FIELDS,
    AuditEventType,
    CommentRow,
    TicketFields,
    TicketRow,
    given_fields,
    missing_fields,
)
from tools.errors import ErrorCode, database_down
from tools.limits import MESSAGE_MAX
from tools.registry import TicketRef, UpdateArgs
from tools.replies import lang_of

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def a_ticket(comments: int = 2) -> TicketRow:
    return TicketRow(ticket_id="TCK-2026-AB12CD", title="VPN", description="drops", category="network",
                     priority="P2", status="OPEN", requester_id="alice", department="IT", assignee_id=None,
                     escalation_level=1, version=3, created_at=NOW, updated_at=NOW,
                     comments=[CommentRow(author_id="bob", body=f"c{i}", created_at=NOW) for i in range(comments)])


def test_the_routes_answer_with_exactly_the_public_json() -> None:
    public = a_ticket().public()
    assert list(public) == list(TicketOut.model_fields)
    assert TicketOut.model_validate(public).model_dump(mode="json") == public  # what a route returns
    assert public["created_at"] == NOW.isoformat() and public["comments"][0]["created_at"] == NOW.isoformat()
    assert public["comments"][0] == {"author_id": "bob", "body": "c0", "created_at": NOW.isoformat()}


@pytest.mark.parametrize("moment", ["2026-03-01T09:30:00.120001+08:00", "2026-03-01T09:30:00+00:00"])
def test_timestamps_keep_their_isoformat_through_the_response_model(moment: str) -> None:
    public = a_ticket().public() | {"created_at": moment}
    assert TicketOut.model_validate(public).model_dump(mode="json")["created_at"] == moment


def test_every_ticket_field_is_a_column_of_tickets_and_drafts() -> None:
    assert set(TICKET_FIELDS) == {"title", "description", "category", "priority"}
    assert set(REQUIRED_FIELDS) < set(TICKET_FIELDS)
    assert set(TICKET_FIELDS) <= set(TicketRow.model_fields)
    assert all(hasattr(TicketDraft, name) for name in TICKET_FIELDS)


def test_update_args_are_the_ticket_fields_of_one_ticket() -> None:
    assert list(UpdateArgs.model_fields) == ["ticket_id", *TICKET_FIELDS]
    assert UpdateArgs.model_validate({"ticket_id": "TCK-2026-AB12CD", "title": " x "}).changes() == {"title": "x"}
    with pytest.raises(ValueError, match="category must be one of"):
        TicketFields.model_validate({"category": "plumbing"})


def test_given_and_missing_fields() -> None:
    given = given_fields({"title": "t", "category": "", "ticket_id": "TCK-2026-AB12CD", "priority": "P1"})
    assert given == {"title": "t", "priority": "P1"}
    assert missing_fields(given) == ["description", "category"]


def _labels() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = ("import {readFileSync} from 'node:fs';"
              "const src = readFileSync(process.argv[1], 'utf8');"
              "const m = await import('data:text/javascript,' + encodeURIComponent(src));"
              "console.log(JSON.stringify(m.LABELS));")
    out = subprocess.run([node, "--input-type=module", "-e", script, str(ROOT / "server/static/labels.js")],
                         capture_output=True, text=True, timeout=30, check=True)
    return dict(json.loads(out.stdout))


def test_the_pages_have_words_for_every_ticket_field_and_audit_event() -> None:
    labels = _labels()
    assert set(labels) == {"en", "zh"}
    for table in labels.values():
        assert set(TICKET_FIELDS) <= set(table["field"])
        assert {e.value for e in AuditEventType} <= set(table["event"])


def test_audit_rows_carry_only_known_event_types() -> None:
    rows = [{"event_type": e.value} for e in AuditEventType]
    assert [r["event_type"] for r in json.loads(events_json(rows))] == [e.value for e in AuditEventType]
    with pytest.raises(ValueError, match="NOT_AN_EVENT"):
        events_json([{"event_type": "NOT_AN_EVENT"}])


def test_one_id_shape_for_schemas_registry_and_text() -> None:
    schema_pattern = AgentRequest.model_json_schema()["properties"]["ticket_id"]["anyOf"][0]["pattern"]
    assert schema_pattern == TICKET_ID == TicketRef.model_json_schema()["properties"]["ticket_id"]["pattern"]
    assert TicketRef.model_validate({"ticket_id": new_ticket_id()})
    assert TICKET_ID_RE.findall("查一下tck-2026-ab12cd的状态") == ["tck-2026-ab12cd"]
    assert not TICKET_ID_RE.search("XTCK-2026-AB12CD") and DRAFT_ID_RE.fullmatch(new_draft_id())


def test_one_message_limit() -> None:
    assert AgentRequest(message="x" * MESSAGE_MAX).message
    with pytest.raises(ValueError, match=f"at most {MESSAGE_MAX} "):
        AgentRequest(message="x" * (MESSAGE_MAX + 1))


@pytest.mark.parametrize(("text", "lang"), [
    ("取消 TCK-2026-ABCDEF", "zh"),  # ids are no language
    ("帮我升级工单 DRF-2026-QWERTY", "zh"),
    ("please escalate TCK-2026-ABCDEF", "en"),
    (None, "en"),
    ("我的VPN连不上了，帮我提个工单", "zh"),
])
def test_one_language_detector(text: str | None, lang: str) -> None:
    assert lang_of(text) == lang


@pytest.mark.parametrize("exc", [
    psycopg.OperationalError("server closed the connection"), PoolTimeout("no connection"),
    sa_exc.OperationalError("SELECT 1", {}, Exception("down")), ConnectionRefusedError(), TimeoutError(),
])
def test_database_down_is_one_classification(exc: Exception) -> None:
    assert database_down(exc)
    failure = failure_of(exc)
    assert (failure.code, failure.status, failure.retryable) == (ErrorCode.UNAVAILABLE, 503, True)


def test_other_errors_are_not_the_database_being_down() -> None:
    assert not database_down(ValueError("x")) and not database_down(psycopg.errors.UniqueViolation())
    assert failure_of(ValueError("x")).code is ErrorCode.INTERNAL
