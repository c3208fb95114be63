"""Explicitly labelled ticket fields: "标题: …", "类别是网络", "priority: high"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.domain import TICKET_FIELDS
from tools.planner.lexicon import Lexicon, alternation, compile_terms, fold
from tools.planner.vocab import terms, vocab

_LABEL_OF = {name: compile_terms(terms("fields", "labels", name)) for name in TICKET_FIELDS}
_ALL_LABELS = alternation([t for name in TICKET_FIELDS for t in terms("fields", "labels", name)])
_SEPARATOR = alternation(terms("fields", "separators"))
# All patterns here run on folded text (lexicon.fold); values are sliced from the original.
_LABEL = re.compile(f"(?P<label>{_ALL_LABELS})\\s*(?P<sep>{_SEPARATOR})?\\s*")
_STRONG_LABEL = re.compile(f"(?:{_ALL_LABELS})\\s*[:：=]")
_END = {"title": re.compile(r"[\n。；;!！?？]"), "description": re.compile(r"\n")}
CATEGORY_LABELS = Lexicon({c: v["labels"] for c, v in vocab()["categories"].items()})
EXPLICIT_PRIORITY = re.compile(r"(?<![a-z0-9])p\s?(?P<n>[1-4])(?![0-9])")
_LEVELS = {str(k).lower(): str(v) for k, v in vocab()["priorities"]["levels"].items()}
_LEVEL = compile_terms(_LEVELS)


_NAMED_AFTER = re.compile(alternation(terms("fields", "category_named", "after")))
_NAMED_CUE = re.compile(alternation(terms("fields", "category_named", "cue")))
_NAMED_NOT = re.compile(alternation(terms("fields", "category_named", "not")))


_LEVEL_AFTER_VERB = re.compile(
    "(?:(?<![a-z])(?:to|into|as)\\s+(?:the\\s+)?|(?<![a-z])make\\s+(?:it|this|that)\\s+"
    "|->|→|=>|改成|改为|调到|调成|调为|设为|设成|降到|降为|升到|提到|提高到|到)\\s*"
    f"(?:(?P<level>{alternation(_LEVELS)})(?![a-z])|p\\s?(?P<n>[1-4])(?![0-9]))")
# a level said before the word "priority": "high priority", "低优先级", "medium prio"
_LEVEL_NAMED = re.compile(f"(?P<level>{alternation(_LEVELS)})(?![a-z])\\s*-?\\s*(?:priority|prio|优先级|优先)")


def level_after_verb(text: str) -> str | None:
    """A priority a change names: "bump it down to low", "raise … to high", "改成高優先", "p2 -> p1"."""
    match = _LEVEL_AFTER_VERB.search(fold(text))
    if match is None:
        return None
    return f"P{match.group('n')}" if match.group("n") else _LEVELS[match.group("level")]


def level_named(text: str) -> str | None:
    """A level said of the priority: "open a ticket for the outage, high priority" is P2 (the
    outage alone would say P1)."""
    match = _LEVEL_NAMED.search(fold(text))
    return _LEVELS[match.group("level")] if match else None


def level_answer(text: str) -> str | None:
    """A priority level given as a short answer while a draft asks for one: "high please",
    "medium should be fine I guess", "低就行"."""
    folded = fold(text)
    match = _LEVEL.match(folded, len(folded) - len(folded.lstrip()))
    if match is None or re.match("[a-z]", folded[match.end():match.end() + 1]):
        return None
    rest = _ANSWER_FILLER.sub(" ", folded[match.end():])
    return _LEVELS[match.group()] if not re.search(r"\w", rest) else None


_ANSWER_FILLER = re.compile(alternation(terms("fields", "answer_filler")))


def category_answer(text: str) -> str | None:
    """A category given as a short answer while a draft asks for one: "其他吧", "none of those,
    other", "put it under network"."""
    hits = CATEGORY_LABELS.hits(text)
    if len(hits) != 1:
        return None
    folded = fold(text)
    rest = _ANSWER_FILLER.sub(" ", folded[:hits[0].start] + " " + folded[hits[0].end:])
    return hits[0].label if not re.search(r"\w", rest) else None


def named_category(text: str, *, change: bool = False) -> str | None:
    """A category named in so many words, without a "category:" label: "move it to hardware
    category", "开单，其他类", "recategorise it as network", "分类不对，应该是软件" (not "不是网络").
    With `change` (an update was asked for), "to hardware" / "as network" name it too."""
    folded = fold(text)
    for hit in CATEGORY_LABELS.hits(text):
        before = folded[max(0, hit.start - 40):hit.start]
        if _NAMED_NOT.search(before):
            continue
        if _NAMED_AFTER.match(folded, hit.end) or _NAMED_CUE.search(before) or fold(hit.term).endswith("类") \
                or (change and _CHANGE_TO.search(before)):
            return hit.label
    return None


_CHANGE_TO = re.compile(r"(?<![a-z])(?:change|changed|switch|move|set|put|make|turn|mark|flip)\b[^,，.。;]*"
                        r"(?<![a-z])(?:to|into|as)\s+(?:the\s+|an?\s+)?$|(?<![a-z])make\s+(?:it|this|that)\s+$")


@dataclass
class Labelled:
    """Field values given with a label, and the spans they occupy (to leave out of a title)."""

    values: dict[str, str] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)


def labelled_fields(text: str) -> Labelled:
    """Every labelled field in `text`; the first label of a field wins."""
    found, folded = Labelled(), fold(text)
    for match in _LABEL.finditer(folded):
        name = next(n for n in TICKET_FIELDS if _LABEL_OF[n].fullmatch(match.group("label")))
        if name in found.values:
            continue
        value, end = _value(name, text, folded, match)
        if value:
            found.values[name] = value
            found.spans.append((match.start(), end))
    return found


def _value(name: str, text: str, folded: str, match: re.Match[str]) -> tuple[str | None, int]:
    """(value, end offset) of the field whose label is `match` (found in `folded`)."""
    start = match.end()
    if name == "category":
        hits = CATEGORY_LABELS.hits(text[start:start + 20])
        return (hits[0].label, start + hits[0].end) if hits and hits[0].start == 0 else (None, 0)
    if name == "priority":
        return _priority_value(folded, start)
    if not match.group("sep"):
        return None, 0
    end = _value_end(name, folded, start)
    value = text[start:end].strip(" ,，。;；:：")
    return value or None, end


def _priority_value(folded: str, start: int) -> tuple[str | None, int]:
    """A priority written right after its label: "P2", "高", "urgent"."""
    if explicit := EXPLICIT_PRIORITY.match(folded, start):
        return f"P{explicit.group('n')}", explicit.end()
    if level := _LEVEL.match(folded, start):
        return _LEVELS[level.group()], level.end()
    return None, 0


def _value_end(name: str, folded: str, start: int) -> int:
    """Where a free-text value ends: at its terminator or the next "label:"."""
    ends = [len(folded)]
    if terminator := _END[name].search(folded, start):
        ends.append(terminator.start())
    if next_label := _STRONG_LABEL.search(folded, start):
        ends.append(next_label.start())
    return min(ends)
