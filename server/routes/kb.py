"""The knowledge base: search it (everyone), add or replace articles (admins)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import ValidationError

from server.deps import CurrentActor, RuntimeDep, TraceId
from server.idempotent import key_for, run_once
from server.openapi import BASE, WRITE, errors
from server.responses import KbDocumentOut, KbHitOut
from server.runtime import Runtime
from server.schemas import KbDocumentIn, Text
from tools.errors import Forbidden, InvalidInput, NotFound, Unavailable
from tools.kb import KbDocument, KbHit, KbIngestError, KnowledgeBase
from tools.kb.models import DOC_ID_PATTERN

router = APIRouter(prefix="/kb", tags=["knowledge base"])


def _kb(runtime: Runtime) -> KnowledgeBase:
    if runtime.services.kb is None:
        raise Unavailable("the knowledge base is not available")
    kb: KnowledgeBase = runtime.services.kb
    return kb


def _hit(hit: KbHit) -> KbHitOut:
    score = hit.score if math.isfinite(hit.score) else 0.0
    return KbHitOut(**hit.model_dump(mode="python", exclude={"score"}), score=score)


@router.get("/search", response_model=list[KbHitOut], responses=errors(*BASE))
async def kb_search(
    q: Annotated[Text, Query(min_length=1, max_length=500, description="question or keywords")],
    actor: CurrentActor, runtime: RuntimeDep,
    k: Annotated[int, Query(ge=1, le=20, description="how many hits")] = 5,
) -> Any:
    """The best-matching passages, with their article ids and scores."""
    return [_hit(hit) for hit in await _kb(runtime).search(q, k)]


async def _upsert(runtime: Runtime, body: KbDocumentIn) -> KbDocumentOut:
    try:
        document = KbDocument(**body.model_dump(exclude={"action_id"}))
        await _kb(runtime).upsert(document)
    except (KbIngestError, ValidationError) as exc:
        raise InvalidInput(f"the article was not stored: {exc}") from exc
    return KbDocumentOut(**document.model_dump())


@router.post("/documents", response_model=KbDocumentOut, responses=errors(*WRITE, 403))
async def kb_upsert(
    body: KbDocumentIn, actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId,
) -> Any:
    """Create or replace an article (admin only)."""
    if actor.role != "admin":
        raise Forbidden("only admins may change the knowledge base")
    key = key_for(runtime, actor, "kb", body)
    return await run_once(key, trace_id, lambda: _upsert(runtime, body))


@router.get("/documents/{doc_id}", response_model=KbDocument, responses=errors(*BASE, 404))
async def kb_document(
    doc_id: Annotated[str, Path(pattern=DOC_ID_PATTERN)], actor: CurrentActor, runtime: RuntimeDep,
) -> Any:
    """One article with its whole markdown text (what a citation links to)."""
    document = await _kb(runtime).document(doc_id)
    if document is None:
        raise NotFound(f"article {doc_id} not found")
    return document
