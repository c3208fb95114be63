"""Typo tolerance for KB questions: an unknown English word is read as the KB word it misspells.

"outlok" and "pasword" are one edit from words the articles use ("outlook", "password"), and
"vnp" a swap from "vpn". The vocabulary is the KB's own (its indexed lexemes), so a word no
article uses is never "corrected" into something the KB does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from tools.kb.text import EN_STOPWORDS, stem

MIN_CHARS = 3  # shorter words ("pc", "hr") are too close to too many others


@dataclass(frozen=True)
class Vocabulary:
    """The English words (stems) the KB's passages are indexed under, sorted."""

    words: tuple[str, ...]
    known: frozenset[str]

    @classmethod
    def of(cls, words: Iterable[str]) -> Vocabulary:
        """A vocabulary of these words."""
        unique = sorted(set(words))
        return cls(tuple(unique), frozenset(unique))


def max_edits(word: str) -> int:
    """Edits allowed for a word of this length: one, two from nine letters on."""
    return 2 if len(word) >= 9 else 1


def _fits(word: str, candidate: str) -> bool:
    # a word of three or four letters is only corrected by a swap: "vnp" -> "vpn", "wfii" -> "wifi"
    return len(word) > 4 or sorted(word) == sorted(candidate)


def correction(word: str, vocabulary: Vocabulary) -> str | None:
    """The KB word `word` misspells, or None when it is known, too short or nothing is close."""
    if len(word) < MIN_CHARS or word in EN_STOPWORDS or {word, stem(word)} & vocabulary.known:
        return None
    for form in dict.fromkeys((word, stem(word))):  # "droping" is an edit from the stem "drop"
        close = process.extract(form, vocabulary.words, scorer=DamerauLevenshtein.distance,
                                score_cutoff=max_edits(form), limit=None)  # nearest first
        if fits := [str(c) for c, _, _ in close if _fits(form, str(c))]:
            return fits[0]
    return None


def with_corrections(query: str, vocabulary: Vocabulary) -> str:
    """`query` with each misspelt English word replaced by the KB word it is closest to."""
    return _WORD.sub(lambda m: correction(m[0].lower(), vocabulary) or m[0], query)


_WORD = re.compile(r"[A-Za-z]+")
