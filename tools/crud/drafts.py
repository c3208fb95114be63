"""Ticket-draft rows: read and write, nothing decided here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from tools.db.ids import new_draft_id
from tools.db.models import TicketDraft
from tools.domain import TICKET_FIELDS, DraftStatus, missing_fields


async def create_draft(
    session: AsyncSession, *, owner_id: str, department: str, thread_id: str | None,
    fields: dict[str, Any],
) -> TicketDraft:
    """Insert an ACTIVE draft with whatever fields are known."""
    draft = TicketDraft(
        draft_id=new_draft_id(), owner_id=owner_id, department=department, thread_id=thread_id,
        status=DraftStatus.ACTIVE.value, version=1, **{k: fields.get(k) for k in TICKET_FIELDS},
    )
    session.add(draft)
    await session.flush()
    return draft


async def get_draft(session: AsyncSession, *, draft_id: str) -> TicketDraft | None:
    """One draft, or None."""
    return await session.get(TicketDraft, draft_id)


async def update_draft(
    session: AsyncSession, *, draft_id: str, version: int, values: dict[str, Any]
) -> TicketDraft | None:
    """Optimistic-locked update of an ACTIVE draft; None when it changed meanwhile."""
    stmt = (
        update(TicketDraft)
        .where(TicketDraft.draft_id == draft_id, TicketDraft.version == version,
               TicketDraft.status == DraftStatus.ACTIVE)
        .values(**values, version=TicketDraft.version + 1, updated_at=func.now())
        .returning(TicketDraft.draft_id)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        return None
    return await session.get(TicketDraft, draft_id, populate_existing=True)


async def set_status(session: AsyncSession, *, draft_id: str, status: str,
                     only_from: str = DraftStatus.ACTIVE) -> TicketDraft | None:
    """Move a draft to `status` if it is still in `only_from`; None if it was not."""
    stmt = (
        update(TicketDraft)
        .where(TicketDraft.draft_id == draft_id, TicketDraft.status == only_from)
        .values(status=status, version=TicketDraft.version + 1, updated_at=func.now())
        .returning(TicketDraft.draft_id)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        return None
    return await session.get(TicketDraft, draft_id, populate_existing=True)


def draft_fields(draft: TicketDraft) -> dict[str, str]:
    """The fields a draft has so far."""
    return {k: v for k in TICKET_FIELDS if (v := getattr(draft, k))}


def draft_public(draft: TicketDraft) -> dict[str, Any]:
    """The API shape of a draft (API.md)."""
    fields = draft_fields(draft)
    return {
        "draft_id": draft.draft_id, "status": draft.status, "fields": fields,
        "missing_fields": missing_fields(fields) if draft.status == DraftStatus.ACTIVE else [],
        "ticket_id": draft.ticket_id, "owner_id": draft.owner_id,
        "created_at": draft.created_at.isoformat(), "updated_at": draft.updated_at.isoformat(),
    }
