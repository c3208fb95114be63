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

from tools.db.ids import DRAFT_ID_RE, TICKET_ID_RE
from tools.domain import CATEGORIES, PRIORITIES

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs (a regex class body)
_CJK = re.compile(f"[{CJK_RANGES}]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE_BEFORE_PUNCT = re.compile(r" +([，。；：！？、）」])")
# values that are codes, and the section that has their words
_CODED = {"status": "statuses", "category": "categories", "priority": "priorities", "tool": "tools"}
_CHOICES = {"category": ("categories", CATEGORIES), "priority": ("priorities", PRIORITIES)}

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


def has_chinese(text: str) -> bool:
    """Whether `text` has any Chinese character (the NLU corpus buckets its examples by this)."""
    return _CJK.search(text) is not None


def lang_of(text: str | None) -> Lang:
    """`zh` when the text has Chinese characters in earnest, else `en`: the one language detector.

    A Chinese character weighs about a four-letter English word; ticket and draft ids are no
    language. Replies, knowledge-base answers and retrieval all take the language from here.
    """
    if not text:
        return "en"
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(DRAFT_ID_RE.sub("", TICKET_ID_RE.sub("", text))))
    return "zh" if cjk and cjk * 4 >= latin else "en"


def word(section: str, key: str, lang: Lang, default: str | None = None) -> str:
    """The text for `key` in `section` of `lang`; `default` (or the key) when there is none."""
    return texts()[lang][section].get(key, key if default is None else default)


def tidy(text: str, lang: Lang) -> str:
    """Chinese punctuation takes no space before it (a filled-in id may leave one)."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text) if lang == "zh" else text


def fill(template: str, lang: Lang, **values: Any) -> str:
    """`template` filled with `values` in words (see `in_words`)."""
    return tidy(template.format(**in_words(values, lang)), lang)


def say(key: str, lang: Lang, **values: Any) -> str:
    """The template for `key` in `lang`, filled with `values` in words."""
    return say_in("templates", key, lang, **values)


def say_in(part: str, key: str, lang: Lang, **values: Any) -> str:
    """The text `key` of section `part` in `lang`, filled with `values` in words."""
    return fill(texts()[lang][part][key], lang, **values)


def in_words(values: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """Values a reply may show: codes (status, category, priority, tool) become words.

    A `tool` also brings the words to confirm and decline it; an `escalation_level` brings
    `escalation` ("not escalated" / "escalated to level 2").
    """
    out = dict(values)
    for name, section in _CODED.items():
        if isinstance(out.get(name), str):
            out[name] = word(section, out[name], lang)
    if tool := values.get("tool"):
        out.setdefault("confirm", confirm_word(lang))
        out.setdefault("decline", decline_word(str(tool), lang))
    if isinstance(level := values.get("escalation_level"), int):
        text = word("escalation", "level" if level else "none", lang)
        out.setdefault("escalation", text.format(n=level))
    return out


def confirm_word(lang: Lang) -> str:
    """What a person replies to confirm a waiting action."""
    return word("answers", "confirm", lang)


def decline_word(tool: str | None, lang: Lang) -> str:
    """What a person replies to decline `tool`: never the action's own word ("keep it" for a cancel)."""
    return word("answers", f"decline_{tool}", lang, word("answers", "decline", lang))


def confirm_prompt(tool: str, target: str | None, minutes: int, lang: Lang) -> str:
    """The question asked before `tool` runs on `target`, naming the action in words."""
    template = texts()[lang]["confirm"].get(tool, texts()[lang]["templates"]["confirm_needed"])
    return fill(template, lang, tool=tool, target=target or "", minutes=minutes)


def declined(tool: str | None, ticket_id: str | None, lang: Lang) -> str:
    """The reply when a person declines `tool` on `ticket_id`: what did not happen."""
    if not tool or not ticket_id:
        return say("action_cancelled", lang)
    template = texts()[lang]["declined"].get(tool, texts()[lang]["templates"]["action_declined"])
    return fill(template, lang, tool=tool, ticket_id=ticket_id)


def count_of(noun: str, n: int, lang: Lang) -> str:
    """"1 ticket" / "6 tickets" / "6 张工单": the noun counted in `lang`."""
    return word("counts", f"{noun}_{'one' if n == 1 else 'other'}", lang).format(n=n)


def reason_text(code: str, lang: Lang) -> str:
    """A short person-readable rendering of a reason code."""
    return word("reasons", code, lang)


def field_list(fields: list[str], lang: Lang) -> str:
    """Field names joined for a reply; category and priority list their choices in words."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(_field(f, lang) for f in fields)


def _field(name: str, lang: Lang) -> str:
    label = word("fields", name, lang)
    if name not in _CHOICES:
        return label
    section, codes = _CHOICES[name]
    choices = say("choice_separator", lang).join(word(section, c, lang) for c in codes)
    return say("field_choices", lang, field=label, choices=choices)


def ticket_list(tickets: list[dict[str, Any]], lang: Lang) -> str:
    """"You have 2 tickets: …", each with its status in words."""
    items = say("list_separator", lang).join(say("list_item", lang, **t) for t in tickets)
    return say("list_my_tickets", lang, tickets=count_of("ticket", len(tickets), lang), items=items)


def changes_text(changes: dict[str, Any], lang: Lang) -> str:
    """"priority changed to "high", …": changed fields with their values in words."""
    return say("change_separator", lang).join(
        say("change_item", lang, field=word("fields", k, lang),
            value=word(_CODED[k], v, lang) if k in _CODED and isinstance(v, str) else v)
        for k, v in changes.items())
