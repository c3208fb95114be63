"""Turns vocabulary terms into regexes and finds them in text, leftmost-longest."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "`": "'"})
_SPACES = re.compile(r"\s+")
_CJK_PUNCTUATION = re.compile("([，！？：；（）])")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), straight quotes, single spaces, trimmed.

    Chinese punctuation (，！？：；) is kept as written: titles and descriptions are cut from
    this text, and every pattern accepts both forms.
    """
    chunks = _CJK_PUNCTUATION.split(text)
    text = "".join(c if i % 2 else unicodedata.normalize("NFKC", c) for i, c in enumerate(chunks))
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


def fold(text: str) -> str:
    """Lower case and simplified Chinese with every offset unchanged, the text all term
    patterns are matched against.

    Matching folded text without re.IGNORECASE lets sre skip ahead on a term's first
    character (several times faster); spans still index the original text.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return simplified(lowered)


def simplified(text: str) -> str:
    """`text` with traditional Chinese in simplified form, the same length and offsets.

    People in Taipei and Hong Kong write 幫我關閉 for 帮我关闭 and 印表機 for 打印机; the
    vocabulary and the models are written in simplified Chinese. OpenCC's Taiwan conversion
    (words included) is used when it keeps the length, else its character table, so a span
    found in the folded text still indexes the original. Text without a traditional
    character (nearly all of it) is returned as it is, at the cost of one regex search.
    """
    opencc, table, traditional = _opencc()
    if traditional.search(text) is None:
        return text
    converted: str = opencc.convert(text)
    return converted if len(converted) == len(text) else text.translate(table)


@cache
def _opencc() -> tuple[Any, dict[int, str], re.Pattern[str]]:
    """OpenCC's Taiwan → simplified converter, its one-to-one character table, and a regex
    finding a character that table changes (loaded once, ~0.1 s)."""
    from opencc_purepy import OpenCC

    converter = OpenCC("tw2sp")
    chars = converter.dictionary.ts_characters[0]
    table = {ord(k): v for k, v in chars.items() if len(k) == 1 and len(v) == 1 and k != v}
    pattern = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(table)) + "]")
    return converter, table, pattern


def term_regex(term: str) -> str:
    """The regex source of one term (see the header of vocab.yaml for the rules)."""
    if term.startswith("re:"):
        return f"(?:{term[3:]})"
    body = r"\s+".join(re.escape(word) for word in term.split())
    if _ASCII_WORD.match(term[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _ASCII_WORD.match(term[-1]):
        body += r"(?![A-Za-z0-9])"
    return body


def alternation(terms: Iterable[str]) -> str:
    """The regex source matching any of `terms`, preferring the longest literal at a position.

    Literals are merged into a prefix trie (`(?:vpn|wi(?:fi|-fi))`): Python's re tries every
    alternative at every position, so hundreds of flat alternatives would cost milliseconds.
    """
    unique = set(terms)
    parts = [term_regex(t) for t in sorted(unique) if t.startswith("re:")]  # written lower-case
    literals = [" ".join(fold(t).split()) for t in unique if not t.startswith("re:")]
    if ascii_start := [t for t in literals if _ASCII_WORD.match(t[0])]:
        parts.append(r"(?<![A-Za-z0-9])" + _render(_trie(ascii_start), ""))
    if others := [t for t in literals if not _ASCII_WORD.match(t[0])]:
        parts.append(_render(_trie(others), ""))
    return "|".join(parts) or "(?!)"


_Trie = dict[str, "_Trie"]


def _trie(words: list[str]) -> _Trie:
    """A character trie; the key "" marks the end of a word."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return root


def _render(node: _Trie, last: str) -> str:
    """Regex source of a trie node reached by the character `last`; longer words first."""
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _render(child, char)
        for char, child in sorted(node.items())
        if char
    ]
    end = r"(?![A-Za-z0-9])" if _ASCII_WORD.match(last) else ""
    if not branches:
        return end
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body}|{end})" if "" in node else body


def compile_terms(terms: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching any of `terms` in folded text (see `fold`)."""
    return re.compile(alternation(terms))


def mask(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with every match of `pattern` blanked out (offsets unchanged)."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def blank(text: str, hits: Iterable[Hit]) -> str:
    """`text` with the spans of `hits` blanked out (offsets unchanged)."""
    for hit in hits:
        text = text[:hit.start] + " " * (hit.end - hit.start) + text[hit.end:]
    return text


@dataclass(frozen=True, slots=True)
class Hit:
    """One vocabulary match: which label it belongs to and where it sits."""

    label: str
    term: str
    start: int
    end: int


def _key(text: str) -> str:
    """How a literal term and the text it matched are compared: lower case, single spaces."""
    return " ".join(fold(text).split())


class Lexicon:
    """Labelled term lists matched together: overlaps go to the leftmost, then longest, term.

    A literal listed under two labels belongs to the first, so the order of `groups` is a
    precedence. All literals share one trie pattern: one scan finds them all.
    """

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._label_of: dict[str, str] = {}
        regex_terms: dict[str, list[str]] = {}
        for label, terms in groups.items():
            for term in terms:
                if term.startswith("re:"):
                    regex_terms.setdefault(label, []).append(term)
                else:
                    self._label_of.setdefault(_key(term), label)
        self._literals = compile_terms(self._label_of)
        self._regexes = {label: compile_terms(ts) for label, ts in regex_terms.items()}

    def hits(self, text: str) -> list[Hit]:
        """Non-overlapping hits in text order (terms as written in `text`)."""
        folded = fold(text)
        found = [Hit(self._label_of[_key(m.group())], text[m.start():m.end()], m.start(), m.end())
                 for m in self._literals.finditer(folded)]
        if not self._regexes:
            return found
        found += [Hit(label, text[m.start():m.end()], m.start(), m.end())
                  for label, pattern in self._regexes.items()
                  for m in pattern.finditer(folded) if m.end() > m.start()]
        found.sort(key=lambda h: (h.start, h.start - h.end))
        chosen: list[Hit] = []
        for hit in found:
            if not chosen or hit.start >= chosen[-1].end:
                chosen.append(hit)
        return chosen
