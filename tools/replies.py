"""Reply texts for people, in Chinese and English, keyed by situation.

The texts live in one data file per language (tools/text/zh.yaml, tools/text/en.yaml), loaded
once. Loading checks that both languages have the same sections, the same keys and the same
{placeholders} in each text, so a reply can never be missing, or fail to format, in one language.
"""

from __future__ import annotations

import re
import string
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import yaml

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
_CJK = re.compile(r"[\u4e00-\u9fff]")

Section = dict[str, str]
Texts = dict[str, Section]


class TextsError(ValueError):
    """The reply data files are malformed or disagree between languages."""


def _placeholders(text: str) -> frozenset[str]:
    """The {names} a template expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _read(lang: Lang) -> Texts:
    """One language's data file, checked to be sections of plain texts."""
    raw = yaml.safe_load(resources.files("tools").joinpath("text", f"{lang}.yaml").read_text("utf-8"))
    if not isinstance(raw, dict):
        raise TextsError(f"tools/text/{lang}.yaml: expected sections of texts")
    for section, entries in raw.items():
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise TextsError(f"tools/text/{lang}.yaml: section {section!r} must map keys to texts")
    return {str(s): {str(k): v for k, v in e.items()} for s, e in raw.items()}


def check_same_shape(texts: dict[Lang, Texts]) -> None:
    """Raise TextsError unless every language has the same sections, keys and placeholders."""
    first, *others = LANGS
    for lang in others:
        if texts[lang].keys() != texts[first].keys():
            raise TextsError(f"sections differ between {first} and {lang}")
        for section, entries in texts[first].items():
            other = texts[lang][section]
            if missing := entries.keys() ^ other.keys():
                raise TextsError(f"{section}: keys only in one language: {sorted(missing)}")
            for key, text in entries.items():
                if _placeholders(text) != _placeholders(other[key]):
                    raise TextsError(f"{section}.{key}: placeholders differ between {first} and {lang}")


@cache
def texts() -> dict[Lang, Texts]:
    """All reply texts by language, loaded and checked once."""
    loaded = {lang: _read(lang) for lang in LANGS}
    check_same_shape(loaded)
    return loaded


def lang_of(text: str | None) -> Lang:
    """`zh` when the text has any CJK character, else `en`."""
    return "zh" if text and _CJK.search(text) else "en"


def word(section: str, key: str, lang: Lang, default: str | None = None) -> str:
    """The text for `key` in `section` of `lang`; `default` (or the key) when there is none."""
    return texts()[lang][section].get(key, key if default is None else default)


def say(key: str, lang: Lang, **values: Any) -> str:
    """The template for `key` in `lang`, filled with `values`."""
    return texts()[lang]["templates"][key].format(**values)


def reason_text(code: str, lang: Lang) -> str:
    """A person-readable rendering of a reason code."""
    return word("reasons", code, lang)


def field_list(fields: list[str], lang: Lang) -> str:
    """Field names joined for a reply."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(word("fields", f, lang) for f in fields)
