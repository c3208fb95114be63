"""What a message points at: explicit ids, back-references (上一单, "that draft") and ordinals."""

from __future__ import annotations

import re

from tools.db.ids import DRAFT_ID_RE, TICKET_ID_RE
from tools.planner.lexicon import compile_terms, fold, mask, normalize
from tools.planner.plan import References
from tools.planner.vocab import terms, vocab

TICKET_ID = TICKET_ID_RE  # ASCII-only edges: found in "查一下TCK-2026-AB12CD的状态" too
DRAFT_ID = DRAFT_ID_RE
FOLDED_TICKET_ID = TICKET_ID.pattern.lower()  # regex sources for folded (lower-case) text
FOLDED_DRAFT_ID = DRAFT_ID.pattern.lower()
_DRAFT_REF = compile_terms(terms("references", "draft"))
_TICKET_REF = compile_terms(terms("references", "ticket"))
_LATEST = compile_terms(terms("references", "latest"))
_ORDINALS = [compile_terms([p]) for p in terms("references", "ordinal", "patterns")]
_ORDINAL_WORDS: dict[str, int] = {
    str(k).lower(): int(v) for k, v in vocab()["references"]["ordinal"]["words"].items()
}
_ZH_DIGITS: dict[str, int] = {
    str(k): int(v) for k, v in vocab()["references"]["ordinal"]["zh_digits"].items()
}


def explicit_ids(pattern: re.Pattern[str], text: str) -> list[str]:
    """Ids matching `pattern`, upper-cased, de-duplicated, in order of appearance."""
    return list(dict.fromkeys(m.group().upper() for m in pattern.finditer(text)))


def extract_references(text: str) -> References:
    """Explicit TCK/DRF ids and the words that refer back to a ticket, a draft or a list item."""
    normalized = fold(normalize(text))
    without_ids = mask(mask(normalized, TICKET_ID), DRAFT_ID)
    # "刚才那个草稿" is a draft reference; blank it so "刚才那个" is not also read as a ticket.
    without_drafts = mask(without_ids, _DRAFT_REF)
    return References(
        ticket_ids=explicit_ids(TICKET_ID, normalized),
        draft_ids=explicit_ids(DRAFT_ID, normalized),
        ticket_ref=_TICKET_REF.search(without_drafts) is not None,
        latest=_LATEST.search(without_drafts) is not None,
        draft_ref=_DRAFT_REF.search(without_ids) is not None,
        ordinal=_ordinal(without_ids),
    )


def _ordinal(text: str) -> int | None:
    """The first ordinal in `text` (第二个 / the 2nd one / #2 → 2), 1-based."""
    for pattern in _ORDINALS:
        if match := pattern.search(text):
            return _number(match.group("n"))
    return None


def _number(word: str) -> int | None:
    """A small number written in digits, English ordinal words or Chinese numerals."""
    if word.isdigit():
        return int(word) or None
    if word.lower() in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word.lower()]
    tens, _, ones = word.rpartition("十")
    if "十" not in word:
        return _ZH_DIGITS.get(word)
    value = (_ZH_DIGITS.get(tens, 0) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return value or None
