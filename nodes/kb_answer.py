"""kb_answer: answer a how-to question from the knowledge base, citing the articles used."""

from __future__ import annotations

import time
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from graph.context import Context
from graph.state import State
from nodes.support import event, lang, outcome, services_of

_NO_KB = ("知识库暂不可用。需要的话我可以帮你提工单。",
          "The knowledge base is not available right now. I can open a ticket for you.")


async def kb_answer(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Extractive answer with citations (the LLM mode writes a grounded one from the same hits)."""
    started = time.perf_counter()
    svc = await services_of(runtime)
    question = state.get("message") or ""
    if svc.kb is None:
        reply = _NO_KB[0] if lang(state) == "zh" else _NO_KB[1]
        return {"outcome": outcome("OK", "kb_qa", reply)}
    answer = await svc.kb.answer(question)
    get_stream_writer()({"token": answer.reply})
    cited = [c["doc_id"] for c in answer.citations]
    ev = event("KB_ANSWERED", cited[0] if cited else None, result="FOUND" if answer.found else "NO_MATCH",
               started=started, doc_ids=cited, retrieval=answer.retrieval)
    return {"outcome": outcome("OK", "kb_qa", answer.reply, citations=answer.citations),
            "events": [*state.get("events", []), ev]}
