"""Document-side synonym expansion from the helpdesk thesaurus in `synonyms.yaml`."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

THESAURUS = Path(__file__).with_name("synonyms.yaml")


def _pattern(term: str) -> re.Pattern[str]:
    # Latin terms match whole words; Chinese ones anywhere (no word boundaries in Chinese).
    escaped = re.escape(term.lower())
    return re.compile(escaped if re.search(r"[^\x00-\x7f]", term) else rf"\b{escaped}\b")


@lru_cache(maxsize=1)
def _groups() -> list[tuple[list[str], list[re.Pattern[str]]]]:
    raw = yaml.safe_load(THESAURUS.read_text(encoding="utf-8"))["groups"]
    return [([str(t) for t in group], [_pattern(str(t)) for t in group]) for group in raw]


def expansions(text: str) -> list[str]:
    """Every thesaurus term that is a synonym of something in `text` (and not in it)."""
    lowered = text.lower()
    extra: list[str] = []
    for terms, patterns in _groups():
        present = [bool(p.search(lowered)) for p in patterns]
        if any(present):
            extra.extend(t for t, hit in zip(terms, present, strict=True) if not hit)
    return extra
