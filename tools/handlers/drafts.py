"""The create-ticket and resume-draft lines: a complete request becomes a ticket, else a draft."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.crud import drafts as crud_drafts
from tools.crud import tickets as crud_tickets
from tools.crud.drafts import TicketDraft
from tools.db.engine import Conn
from tools.domain import Actor, AuditEventType, DraftStatus, can_transition_draft, missing_fields
from tools.replies import Lang, field_list, say


@dataclass
class DraftOutcome:
    """What the line did: a ticket (complete) or a draft still missing fields."""

    status: str  # OK | NEED_MORE_INFO | REJECTED
    reply: str
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (type, target, payload)
    ticket: dict[str, Any] | None = None
    draft: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    reason: str | None = None


async def create_ticket_or_draft(
    conn: Conn, *, fields: dict[str, Any], actor: Actor, thread_id: str, lang: Lang
) -> DraftOutcome:
    """A ticket when every required field is present, otherwise an ACTIVE draft."""
    missing = missing_fields(fields)
    if not missing:
        ticket = await crud_tickets.create_ticket(conn, fields=fields, actor=actor)
        public = ticket.public()
        return DraftOutcome("OK", say("ticket_created", lang, **public), ticket=public,
                            events=[(AuditEventType.TICKET_CREATED.value, ticket.ticket_id, fields)])
    draft = await crud_drafts.create_draft(conn, owner_id=actor.user_id,
                                           department=actor.department, thread_id=thread_id,
                                           fields=fields)
    return DraftOutcome(
        "NEED_MORE_INFO",
        say("draft_created", lang, draft_id=draft.draft_id, missing=field_list(missing, lang)),
        draft=crud_drafts.draft_public(draft), missing=missing,
        events=[(AuditEventType.DRAFT_CREATED.value, draft.draft_id, fields)],
    )


async def resume_draft(
    conn: Conn, *, draft_id: str, fields: dict[str, Any], actor: Actor, lang: Lang
) -> DraftOutcome:
    """Merge new fields into an ACTIVE draft; when complete it is consumed into a ticket."""
    draft = await crud_drafts.get_draft(conn, draft_id=draft_id)
    if draft is None or draft.owner_id != actor.user_id:
        return DraftOutcome("REJECTED", "", reason="DRAFT_NOT_FOUND")
    if draft.status != DraftStatus.ACTIVE:
        return DraftOutcome("REJECTED", "", reason="DRAFT_NOT_ACTIVE")
    merged = {**crud_drafts.draft_fields(draft), **fields}
    if missing_fields(merged):
        return await _update(conn, draft.draft_id, draft.version, merged, fields, lang)
    ticket = await crud_tickets.create_ticket(conn, fields=merged, actor=actor)
    consumed = await crud_drafts.update_draft(
        conn, draft_id=draft.draft_id, version=draft.version,
        values={**fields, "status": DraftStatus.CONSUMED.value, "ticket_id": ticket.ticket_id})
    if consumed is None:
        return DraftOutcome("REJECTED", "", reason="DRAFT_NOT_ACTIVE")
    public = ticket.public()
    return DraftOutcome(
        "OK", say("draft_consumed", lang, draft_id=draft_id, **public), ticket=public,
        draft=crud_drafts.draft_public(consumed),
        events=[(AuditEventType.DRAFT_CONSUMED.value, draft_id, {"ticket_id": ticket.ticket_id}),
                (AuditEventType.TICKET_CREATED.value, ticket.ticket_id, merged)],
    )


async def _update(
    conn: Conn, draft_id: str, version: int, merged: dict[str, Any],
    fields: dict[str, Any], lang: Lang,
) -> DraftOutcome:
    updated = await crud_drafts.update_draft(conn, draft_id=draft_id, version=version,
                                             values=fields)
    if updated is None:
        return DraftOutcome("REJECTED", "", reason="DRAFT_NOT_ACTIVE")
    missing = missing_fields(merged)
    return DraftOutcome(
        "NEED_MORE_INFO",
        say("draft_updated", lang, draft_id=draft_id, missing=field_list(missing, lang)),
        draft=crud_drafts.draft_public(updated), missing=missing,
        events=[(AuditEventType.DRAFT_UPDATED.value, draft_id, fields)],
    )


def is_stale(draft: TicketDraft, ttl_s: int) -> bool:
    """An ACTIVE draft nobody touched for `ttl_s` seconds has expired."""
    stale = draft.updated_at < datetime.now(UTC) - timedelta(seconds=ttl_s)
    return draft.status == DraftStatus.ACTIVE and stale and can_transition_draft(draft.status, DraftStatus.EXPIRED)


async def expire(conn: Conn, *, draft: TicketDraft) -> TicketDraft:
    """Mark a stale draft EXPIRED (or return it as another run left it)."""
    expired = await crud_drafts.set_status(conn, draft_id=draft.draft_id, status=DraftStatus.EXPIRED)
    return expired or draft
