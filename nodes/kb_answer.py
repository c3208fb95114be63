"""kb_answer: answer a how-to question from the knowledge base, citing the articles used.

Rules (and degraded) turns answer extractively. With a model (llm mode, and hybrid unless the
turn already fell back) the answer is written from the same hits only and streamed token by
token; any LLM failure falls back to the extractive answer and marks the turn degraded.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from tools.domain import AuditEventType
from tools.llm import LlmFailure, LlmGateway
from tools.replies import say_in
from turn.context import Context
from turn.contract import AuditEvent, Json, ModeUsed
from turn.planning import failure_events
from turn.services import Services
from turn.state import State, empty_usage
from turn.support import context_of, event, lang, mode_of, outcome, services_of

if TYPE_CHECKING:
    from tools.kb import KbAnswer


def _model(state: State, runtime: Runtime[Context], svc: Services,
           answer: KbAnswer) -> LlmGateway | None:
    """The model that writes this answer, if one should: none in rules mode, for a degraded
    turn, or without hits to ground it on."""
    plan = state.get("plan")
    if mode_of(runtime, svc) == "rules" or (plan is not None and plan.degraded):
        return None
    return svc.llm if answer.citations else None


def _passages(answer: KbAnswer) -> list[Json]:
    """The hits' whole passages (the citations' snippets when a KB gives no hits)."""
    hits = [h.model_dump() for h in answer.hits]
    return hits or [dict(c) for c in answer.citations]


async def _written(state: State, runtime: Runtime[Context], llm: LlmGateway, answer: KbAnswer,
                   usage: dict[str, Any]) -> tuple[str, ModeUsed, bool, list[AuditEvent]]:
    """(reply, mode_used, degraded, audit events): the model's grounded answer, else the
    extractive one."""
    write = get_stream_writer()
    streamed: list[str] = []

    def on_token(piece: str) -> None:
        streamed.append(piece)
        write({"token": piece})

    try:
        reply = await llm.answer_grounded(
            question=state.get("message") or "", actor=context_of(runtime).actor, usage=usage,
            passages=_passages(answer),
            on_token=on_token)
    except LlmFailure as failure:
        write({"token": ("\n\n" if streamed else "") + answer.reply})
        fallback = event(AuditEventType.LLM_FALLBACK, None, result=failure.kind, reason=failure.kind,
                         route="kb_qa", writer="extractive")
        return answer.reply, "rules", True, [*failure_events(failure, "answer_grounded"), fallback]
    return reply, "llm", False, []


async def kb_answer(state: State, runtime: Runtime[Context]) -> State:
    """Answer with citations: written by the model from the hits, or extractive."""
    started = time.perf_counter()
    svc = services_of(runtime)
    question = state.get("message") or ""
    if svc.kb is None:
        return {"outcome": outcome("OK", "kb_qa", say_in("kb", "unavailable", lang(state)))}
    answer = await svc.kb.answer(question)
    usage = dict(state.get("usage") or empty_usage())
    mode_used: ModeUsed | None = None
    degraded = False
    events: list[AuditEvent] = []
    if (llm := _model(state, runtime, svc, answer)) is not None:
        reply, mode_used, degraded, events = await _written(state, runtime, llm, answer, usage)
    else:
        reply = answer.reply
        get_stream_writer()({"token": reply})
    cited = [c["doc_id"] for c in answer.citations]
    ev = event(AuditEventType.KB_ANSWERED, cited[0] if cited else None,
               result="FOUND" if answer.found else "NO_MATCH", started=started, doc_ids=cited,
               retrieval=answer.retrieval, writer="llm" if mode_used == "llm" else "extractive")
    return {"outcome": outcome("OK", "kb_qa", reply, citations=answer.citations,
                               mode_used=mode_used, degraded=degraded),
            "events": [*state.get("events", []), *events, ev], "usage": usage}
