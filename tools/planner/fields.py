"""Ticket fields read from a message: category from symptoms, priority words, title, description."""

from __future__ import annotations

import re
from functools import lru_cache

from tools.planner.labels import EXPLICIT_PRIORITY, labelled_fields, level_named, named_category
from tools.planner.lexicon import Lexicon, fold, normalize
from tools.planner.plan import TicketFields
from tools.planner.summary import summarize
from tools.planner.vocab import vocab

_CATEGORIES: dict[str, dict[str, list[str]]] = vocab()["categories"]
# One scan over every symptom word: "打印机" (strong) is not also counted as "打印" (weak).
_SYMPTOMS = Lexicon({f"{c}:{strength}": v.get(strength) or []
                     for strength in ("strong", "weak") for c, v in _CATEGORIES.items()})
_WEIGHT = {"strong": 2, "weak": 1}
PRIORITY_WORDS = Lexicon({p: w for p, w in vocab()["priorities"].items() if p != "levels"})


def extract_ticket_fields(text: str) -> TicketFields:
    """Every ticket field the message gives; a field it does not give is None.

    Explicit labels win ("类别:网络", "category: hardware", "标题：…"); otherwise the category
    comes from symptoms, the priority from words such as 紧急 / asap / 不急, and the title and
    description from the problem text with request boilerplate ("帮我提个工单") stripped.
    """
    return _fields(normalize(text)).model_copy()


@lru_cache(maxsize=256)
def _fields(normalized: str) -> TicketFields:
    """extract_ticket_fields on normalised text (cached: one turn asks several times)."""
    labelled = labelled_fields(normalized)
    title, description = summarize(normalized, labelled.spans)
    return TicketFields(
        title=labelled.values.get("title") or title,
        description=labelled.values.get("description") or description,
        category=labelled.values.get("category") or named_category(normalized) or category_of(normalized),
        priority=_explicit_priority(normalized) or labelled.values.get("priority")
        or level_named(normalized) or priority_word(normalized),
    )


def category_of(text: str) -> str | None:
    """The category whose symptom words score highest (strong 2, weak 1); ties by vocab order."""
    scores = dict.fromkeys(_CATEGORIES, 0)
    for label, _term in {(h.label, fold(h.term)) for h in _SYMPTOMS.hits(text)}:  # distinct
        category, _, strength = label.partition(":")
        scores[category] += _WEIGHT[strength]
    best = max(scores, key=lambda c: scores[c])  # the first listed among equals
    return best if scores[best] else None


def symptom_follows(text: str, end: int) -> bool:
    """True when a symptom or product word starts right at `end`, a determiner aside
    ("升级|Office", "close| the Outlook window", "关掉|那个弹窗")."""
    window = text[end:end + 24]
    hits = _SYMPTOMS.hits(window)
    return bool(hits) and _DETERMINERS.fullmatch(window[:hits[0].start].lower()) is not None


_DETERMINERS = re.compile(r"\s*(?:(?:the|my|this|that|these|those|our|a|an|all)\s+|这个|那个|我的|所有)*\s*")


def priority_word(text: str) -> str | None:
    """The priority named by the first priority word ("不紧急" is P4, not P1)."""
    hits = PRIORITY_WORDS.hits(text)
    return hits[0].label if hits else None


def _explicit_priority(text: str) -> str | None:
    """"P1".."P4" written out."""
    match = EXPLICIT_PRIORITY.search(fold(text))
    return f"P{match.group('n')}" if match else None
