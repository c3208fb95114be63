"""Typo tolerance: misspelt English words become the KB word they are one edit (or a swap) from."""

import pytest

from tools.kb.spelling import Vocabulary, correction, with_corrections

KB = Vocabulary.of(["vpn", "outlook", "password", "printer", "wifi", "drop", "launch", "disconnect", "vp"])


@pytest.mark.parametrize(("word", "fixed"), [
    ("outlok", "outlook"), ("pasword", "password"), ("passwrod", "password"), ("prnter", "printer"),
    ("vnp", "vpn"),  # a swap, not the deletion to "vp"
    ("wfii", "wifi"), ("droping", "drop"),  # the stem "drope" is an edit from "drop"
])
def test_misspellings_are_read_as_kb_words(word: str, fixed: str) -> None:
    assert correction(word, KB) == fixed


@pytest.mark.parametrize("word", [
    "vpn", "dropping",  # known (as itself or its stem)
    "pc", "the", "from",  # too short, or a stop word
    "vpm",  # a three-letter word is only corrected by a swap
    "canteen", "salary",  # nothing in the KB is close: never invented
])
def test_known_short_and_far_words_stay(word: str) -> None:
    assert correction(word, KB) is None


def test_the_query_keeps_everything_else() -> None:
    assert with_corrections("Outlok 一直弹窗, vnp drops!", KB) == "outlook 一直弹窗, vpn drops!"
