"""Tokens for retrieval: English words and Chinese character bigrams.

Chinese has no spaces and the embedded Postgres has no Chinese parser (nor pg_trgm), so
CJK runs become overlapping character bigrams; Latin text becomes lower-case words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from tools.kb.synonyms import expansions
from tools.replies import CJK_RANGES

_PIECE = re.compile(f"([{CJK_RANGES}]+)|([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")

# Function characters that carry no topic; a CJK run is split at them before bigramming.
CJK_STOP_CHARS = frozenset("的了吗呢吧啊呀么我你您他她它们这那哪怎什是否让嘛")
# Question and filler words that survive the split.
CJK_STOP_BIGRAMS = frozenset(
    "如何 可以 能否 一下 一直 应该 需要 为何 有没 还能 能不 不能 到底 回事 办法 知道 现在"
    " 时候 已经 所以 因为 但是 可是 明明 总是 老是 经常 一个 这个 那个 如果 还是 或者 之后"
    " 多久 多少 几次 好几 几个 才能 要等 哪些 怎样 为什 有什 应当 麻烦 帮我 谢谢".split()
)
EN_STOPWORDS = frozenset(
    "a an the and or but if then than so to of in on at by for with from into onto about as"
    " is are was were be been being am do does did doing done have has had having can could"
    " will would shall should may might must i me my mine we us our you your yours he him his"
    " she her it its they them their this that these those there here what which who whom"
    " whose when where why how not no nor any some all each every just only also very too"
    " again still ever even get gets got getting up down out off over under more most much"
    " many few own same such one s t don doesn didn won cant can't isn aren wasn weren im ive"
    " please need want like would help anything something let lets long until able way"
    " thing things know tell possible sure really actually maybe now whether thanks".split()
)


@dataclass(frozen=True)
class Terms:
    """The retrieval terms of a text: Latin words (unstemmed) and CJK units."""

    words: list[str]
    cjk_bigrams: list[str]
    cjk_chars: list[str]

    @property
    def empty(self) -> bool:
        """True when nothing in the text can be matched."""
        return not (self.words or self.cjk_bigrams or self.cjk_chars)


def _latin_words(piece: str) -> list[str]:
    parts = [p for p in piece.lower().split("-") if p]
    joined = "".join(parts)
    words = [p for p in parts if p not in EN_STOPWORDS]
    if len(parts) > 1 and len(joined) <= 12:
        words.append(joined)  # wi-fi / e-mail / usb-c also match wifi / email / usbc
    return words


def _cjk_runs(run: str) -> list[str]:
    return [r for r in re.split(f"[{''.join(CJK_STOP_CHARS)}]", run) if r]


def _bigrams(run: str) -> list[str]:
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return [p for p in pairs if p not in CJK_STOP_BIGRAMS]


def terms(text: str) -> Terms:
    """Split `text` into Latin words and CJK bigrams/characters, stop words removed."""
    words: list[str] = []
    bigrams: list[str] = []
    chars: list[str] = []
    for cjk, latin in _PIECE.findall(text):
        if latin:
            words.extend(_latin_words(latin))
            continue
        for run in _cjk_runs(cjk):
            bigrams.extend(_bigrams(run))
            chars.extend(run)
    return Terms(words, bigrams, chars)


def keyword_text(text: str) -> tuple[str, str]:
    """(Latin words, CJK bigrams) as space-separated strings for `to_tsvector`/`to_tsquery`."""
    found = terms(text)
    return " ".join(found.words), " ".join(found.cjk_bigrams)


_STEMMER = snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """The English stem of a lower-case word (Snowball, as Postgres' english parser stems)."""
    return str(_STEMMER.stemWord(word))


def units(text: str) -> frozenset[str]:
    """Matchable units of a text: English words stemmed and CJK bigrams."""
    found = terms(text)
    return frozenset(_STEMMER.stemWords(found.words)) | frozenset(found.cjk_bigrams)


@lru_cache(maxsize=4096)
def heading_units(head: str) -> frozenset[str]:
    """Units of a passage's heading line, with the thesaurus synonyms of what it names."""
    return units(" ".join([head, *expansions(head)]))
