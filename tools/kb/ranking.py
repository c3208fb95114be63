"""Hybrid ranking: fuse vector similarity and keyword score per passage, best passage per article.

Passages are ranked at section level: on top of the fused score, a passage gains for the
question's terms that its heading line (article title and section heading, with their
thesaurus synonyms) names. The title says what the article is about (Wi-Fi, not VPN); the
heading says which symptom the section treats ("keeps disconnecting", not the introduction).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace

from tools.kb.models import KbHit, Retrieval
from tools.kb.store import Passage
from tools.kb.text import heading_units, terms, units

SNIPPET_CHARS = 160


@dataclass(frozen=True)
class RankingConfig:
    """Weights and thresholds of the fusion (measured in bench/kb_eval.py)."""

    vector_weight: float = 0.5
    other_lang_factor: float = 0.8  # an article in the question's language wins a near tie
    min_score: float = 0.24  # below this the KB says it has no answer
    fetch_k: int = 10  # passages fetched from each side before fusion
    floor: float = 0.05  # weaker hits are noise (a vector search always returns neighbours)
    title_weight: float = 0.3  # relative gain when the title and heading name every question term
    heading_weight: float = 0.3  # further gain when the section heading alone names them all

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


def _score(cand: _Candidate, mode: Retrieval, lang: str, config: RankingConfig,
           wanted: dict[str, float]) -> float:
    weight = {"vector": 1.0, "keyword": 0.0}.get(mode, config.vector_weight)
    score = weight * cand.vector + (1.0 - weight) * cand.keyword
    if wanted and score >= config.floor:
        score *= 1.0 + _heading_gain(cand.passage, wanted, config)
    return score if cand.passage.lang == lang else score * config.other_lang_factor


def _heads(passage: Passage) -> tuple[frozenset[str], frozenset[str]]:
    """Units of the passage's article title, and of its own section heading."""
    title, _, heading = passage.text.split("\n", 1)[0].partition(" — ")
    return heading_units(title), heading_units(heading) if heading else frozenset()


def _weights(query: str, cands: list[_Candidate]) -> dict[str, float]:
    """Each question unit weighted by how few candidate headings name it (打印 < 卡纸)."""
    heads = [t | s for t, s in map(_heads, (c.passage for c in cands))]
    n = len(heads)
    return {u: math.log(1.0 + (n + 1) / (sum(u in h for h in heads) + 0.5)) for u in units(query)}


def _share(wanted: dict[str, float], named: frozenset[str]) -> float:
    total = sum(wanted[u] for u in sorted(wanted))
    return sum(wanted[u] for u in sorted(wanted) if u in named) / total if total else 0.0


def _heading_gain(passage: Passage, wanted: dict[str, float], config: RankingConfig) -> float:
    """How much of the question the passage's title and its own section heading name."""
    title, section = _heads(passage)
    return (config.title_weight * _share(wanted, title | section)
            + config.heading_weight * _share(wanted, section))


def fuse(query: str, lang: str, mode: Retrieval, config: RankingConfig,
         vector: list[tuple[Passage, float]] | None,
         keyword: list[tuple[Passage, float]] | None, k: int) -> list[KbHit]:
    """The `k` best articles (one passage each), best first; `None`: that side did not run."""
    best: dict[str, tuple[float, _Candidate]] = {}
    sides_by_doc: dict[str, set[str]] = {}
    cands = list(_collect(vector, keyword).values())
    wanted = _weights(query, cands)
    for cand in cands:
        doc_id = cand.passage.doc_id
        sides_by_doc.setdefault(doc_id, set()).update(cand.sides)
        score = _score(cand, mode, lang, config, wanted)
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
