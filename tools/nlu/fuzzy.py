"""Typo-tolerant vocabulary: "outlok" → "outlook", "vnp" → "vpn", "pasword" → "password".

The targets are vocab.yaml's typos.targets (products and the words people ask with); a word of
the message that is not itself known (a word of any vocabulary term, a target, a listed
ordinary word, an English word of pyspellchecker's frequency list, or one of those with an
English ending) is replaced by the one target within
a small edit distance (optimal string alignment, so a swap of two letters costs one), with the
same first letter. Ties, ids and short words stay as written. rapidfuzz does the matching. A
real word is never "corrected" into a vocabulary word: "reserve a table" is not "resolve",
"convert 100 usd" is not "connect".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from tools.planner.references import DRAFT_ID, TICKET_ID
from tools.planner.vocab import vocab

_WORD = re.compile(r"(?<![A-Za-z0-9'])[A-Za-z]{3,}(?![A-Za-z0-9'])")
_TERM_WORD = re.compile(r"[a-z]{3,}")


def correct(text: str) -> str:
    """`text` with misspelt vocabulary words replaced (same text when nothing is misspelt)."""
    protected = [m.span() for p in (TICKET_ID, DRAFT_ID) for m in p.finditer(text)]
    out, edge = [], 0
    for match in _WORD.finditer(text):
        if any(s <= match.start() < e for s, e in protected):
            continue
        if (fixed := correct_word(match.group().lower())) is not None:
            out += [text[edge:match.start()], fixed]
            edge = match.end()
    return "".join([*out, text[edge:]]) if out else text


@lru_cache(maxsize=4096)
def correct_word(word: str) -> str | None:
    """The vocabulary word `word` (lower case) was meant to be, or None to keep it."""
    targets, known = _targets()
    if word in known or _inflected(word, known) or word in english_words():
        return None
    limit = 1 if len(word) < 7 else 2
    found = process.extract(word, targets.get(word[0], ()), scorer=OSA.distance,
                            score_cutoff=limit, limit=2)
    if not found or (len(found) > 1 and found[1][1] == found[0][1]):
        return None  # nothing close, or two equally close words
    best = str(found[0][0])
    if len(word) == 3 and sorted(word) != sorted(best):
        return None  # three letters: only a swap ("vnp"), never a different letter
    return best


def _inflected(word: str, known: frozenset[str]) -> bool:
    """"emails", "connected", "crashing": a known word with an English ending."""
    return any(word.endswith(end) and word[:-len(end)] + add in known
               for end, add in _ENDINGS)


_ENDINGS = (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""),
            ("ing", "e"), ("er", ""), ("ly", ""), ("ies", "y"))


ENGLISH_MIN_COUNT = 100  # pyspellchecker's counts below this are mostly names and misspellings


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (3+ letters) common enough to be meant as written, from
    pyspellchecker's English frequency list (package data: no download)."""
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(w for w, n in counts.items() if n >= ENGLISH_MIN_COUNT and len(w) >= 3 and w.isalpha())


@cache
def _targets() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """(targets by first letter, every word that is already right)."""
    data = vocab()
    targets = set(data["typos"]["targets"])
    by_letter: dict[str, list[str]] = {}
    for word in sorted(targets):
        by_letter.setdefault(word[0], []).append(word)
    known = frozenset(set(_words(data)) | targets | set(data["typos"]["keep"]))
    return {k: tuple(v) for k, v in by_letter.items()}, known


def _words(node: Any) -> Iterator[str]:
    """Every lower-case English word (3+ letters) of the literal terms under `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "typos":
                yield from _words(value)
    elif isinstance(node, list):
        for term in node:
            if isinstance(term, str) and not term.startswith("re:"):
                yield from _TERM_WORD.findall(term.lower())
