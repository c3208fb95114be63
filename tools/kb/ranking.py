"""Hybrid ranking: fuse vector similarity and keyword score per passage, best passage per article."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace

from tools.kb.models import KbHit, Retrieval
from tools.kb.store import Passage
from tools.kb.text import terms

SNIPPET_CHARS = 160


@dataclass(frozen=True)
class RankingConfig:
    """Weights and thresholds of the fusion (measured in bench/kb_eval.py)."""

    vector_weight: float = 0.5
    other_lang_factor: float = 0.8  # an article in the question's language wins a near tie
    min_score: float = 0.24  # below this the KB says it has no answer
    fetch_k: int = 10  # passages fetched from each side before fusion
    floor: float = 0.05  # weaker hits are noise (a vector search always returns neighbours)

    @classmethod
    def from_env(cls) -> RankingConfig:
        """Defaults, with HELPDESK_KB_MIN_SCORE / HELPDESK_KB_VECTOR_WEIGHT overrides.

        Another embeddings model has another similarity scale: tune these for it.
        """
        base = cls()
        return replace(
            base,
            min_score=float(os.environ.get("HELPDESK_KB_MIN_SCORE", base.min_score)),
            vector_weight=float(os.environ.get("HELPDESK_KB_VECTOR_WEIGHT", base.vector_weight)),
        )


@dataclass
class _Candidate:
    passage: Passage
    vector: float = 0.0
    keyword: float = 0.0
    sides: set[str] = field(default_factory=set)


def _collect(vector: list[tuple[Passage, float]] | None,
             keyword: list[tuple[Passage, float]] | None) -> dict[str, _Candidate]:
    found: dict[str, _Candidate] = {}
    for side, results in (("vector", vector or []), ("keyword", keyword or [])):
        for passage, score in results:
            cand = found.setdefault(passage.chunk_id, _Candidate(passage))
            # a query with no features embeds to the zero vector: its cosine is NaN, not 0
            setattr(cand, side, score if math.isfinite(score) and score > 0 else 0.0)
            cand.sides.add(side)
    return found


def _score(cand: _Candidate, mode: Retrieval, lang: str, config: RankingConfig) -> float:
    weight = {"vector": 1.0, "keyword": 0.0}.get(mode, config.vector_weight)
    score = weight * cand.vector + (1.0 - weight) * cand.keyword
    return score if cand.passage.lang == lang else score * config.other_lang_factor


def fuse(query: str, lang: str, mode: Retrieval, config: RankingConfig,
         vector: list[tuple[Passage, float]] | None,
         keyword: list[tuple[Passage, float]] | None, k: int) -> list[KbHit]:
    """The `k` best articles (one passage each), best first; `None`: that side did not run."""
    best: dict[str, tuple[float, _Candidate]] = {}
    sides_by_doc: dict[str, set[str]] = {}
    for cand in _collect(vector, keyword).values():
        doc_id = cand.passage.doc_id
        sides_by_doc.setdefault(doc_id, set()).update(cand.sides)
        score = _score(cand, mode, lang, config)
        if score < config.floor:
            continue
        if doc_id not in best or score > best[doc_id][0]:
            best[doc_id] = (score, cand)
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].passage.doc_id))
    return [_hit(query, score, cand.passage, sides_by_doc[cand.passage.doc_id])
            for score, cand in ranked[:k]]


def _hit(query: str, score: float, passage: Passage, sides: set[str]) -> KbHit:
    retrieval: Retrieval = "hybrid" if len(sides) == 2 else "vector" if "vector" in sides else "keyword"
    return KbHit(doc_id=passage.doc_id, title=passage.title, snippet=snippet(passage.text, query),
                 score=round(score, 4), text=passage.text, lang=passage.lang,
                 retrieval=retrieval)


def _units(text: str) -> set[str]:
    found = terms(text)
    return set(found.words) | set(found.cjk_bigrams)


def snippet(passage: str, query: str) -> str:
    """The passage line sharing most terms with the query, markdown stripped, trimmed."""
    wanted = _units(query)
    lines = [re.sub(r"^\s*(?:[-*]|\d+\.)\s+|[*`]", "", ln).strip()
             for ln in passage.splitlines()[1:]]
    lines = [ln for ln in lines if ln] or [passage.splitlines()[0]]
    best = max(lines, key=lambda ln: len(wanted & _units(ln)))
    return best if len(best) <= SNIPPET_CHARS else best[: SNIPPET_CHARS - 1] + "…"
