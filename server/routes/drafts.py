"""Ticket drafts, visible like tickets: owner, the owner's department's agents, admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from server.deps import ConnDep, CurrentActor
from server.openapi import BASE, errors
from server.responses import DraftOut
from tools.crud import drafts as crud
from tools.db.ids import DRAFT_ID
from tools.errors import NotFound

router = APIRouter(prefix="/drafts", tags=["drafts"])


@router.get("/{draft_id}", response_model=DraftOut, responses=errors(*BASE, 404))
async def get_draft(
    draft_id: Annotated[str, Path(pattern=DRAFT_ID, description="DRF-YYYY-XXXXXX")],
    actor: CurrentActor, conn: ConnDep,
) -> Any:
    """One draft: its fields so far and what is still missing."""
    draft = await crud.get_draft(conn, draft_id=draft_id)
    if draft is None or not actor.can_see_ticket(draft.owner_id, draft.department):
        raise NotFound(f"draft {draft_id} not found")
    return crud.draft_public(draft)
