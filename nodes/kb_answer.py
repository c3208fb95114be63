"""kb_answer: answer a how-to question from the knowledge base, citing the articles used.

Rules (and degraded) turns answer extractively. With a model (llm mode, and hybrid unless the
turn already fell back) the answer is written from the same hits only and streamed token by
token; any LLM failure falls back to the extractive answer and marks the turn degraded.
"""

from __future__ import annotations

import time
from typing import Any, cast

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from nodes.global_router import failure_events
from nodes.support import context_of, event, lang, mode_of, outcome, services_of
from tools.llm import LlmFailure
from tools.replies import say_in
from turn.context import Context
from turn.services import Services
from turn.state import State, empty_usage


def _wants_llm(state: State, runtime: Runtime[Context], svc: Services, answer: Any) -> bool:
    plan = state.get("plan") or {}
    return (svc.llm is not None and mode_of(runtime, svc) != "rules"
            and not plan.get("degraded") and bool(answer.citations))


def _passages(answer: Any) -> list[dict[str, Any]]:
    """The hits' whole passages (the citations' snippets when a KB gives no hits)."""
    hits = [h.model_dump() if hasattr(h, "model_dump") else dict(h)
            for h in getattr(answer, "hits", None) or []]
    return hits or [dict(c) for c in answer.citations]


async def _written(state: State, runtime: Runtime[Context], svc: Services, answer: Any,
                   usage: dict[str, Any]) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """(reply, result flags, audit events): the model's grounded answer, else the extractive."""
    write = get_stream_writer()
    streamed: list[str] = []

    def on_token(piece: str) -> None:
        streamed.append(piece)
        write({"token": piece})

    try:
        reply = await svc.llm.answer_grounded(
            question=state.get("message") or "", actor=context_of(runtime).actor, usage=usage,
            passages=_passages(answer),
            on_token=on_token)
    except LlmFailure as failure:
        write({"token": ("\n\n" if streamed else "") + answer.reply})
        fallback = event("LLM_FALLBACK", None, result=failure.kind, reason=failure.kind,
                         route="kb_qa", writer="extractive")
        return (answer.reply, {"mode_used": "rules", "degraded": True},
                [*failure_events(failure, "answer_grounded"), fallback])
    return reply, {"mode_used": "llm"}, []


async def kb_answer(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Answer with citations: written by the model from the hits, or extractive."""
    started = time.perf_counter()
    svc = await services_of(runtime)
    question = state.get("message") or ""
    if svc.kb is None:
        reply = say_in("kb", "unavailable", lang(cast(dict[str, Any], state)))
        return {"outcome": outcome("OK", "kb_qa", reply)}
    answer = await svc.kb.answer(question)
    usage = dict(state.get("usage") or empty_usage())
    flags: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    if _wants_llm(state, runtime, svc, answer):
        reply, flags, events = await _written(state, runtime, svc, answer, usage)
    else:
        reply = answer.reply
        get_stream_writer()({"token": reply})
    cited = [c["doc_id"] for c in answer.citations]
    ev = event("KB_ANSWERED", cited[0] if cited else None,
               result="FOUND" if answer.found else "NO_MATCH", started=started, doc_ids=cited,
               retrieval=answer.retrieval, writer="llm" if flags.get("mode_used") == "llm"
               else "extractive")
    return {"outcome": outcome("OK", "kb_qa", reply, citations=answer.citations, **flags),
            "events": [*state.get("events", []), *events, ev], "usage": usage}
