"""The labelled NLU corpus (package data): a training part and a held-out part.

Each YAML file holds groups of texts sharing an intent, a dialogue act and a context; a text may
end in " || key=value ..." slots. The held-out part is only ever measured (bench/nlu_eval.py):
no rule, vocabulary term or model is fitted or tuned on it. A held-out part whose figures have
been looked at too often moves into the training part (train/heldout_old_*.yaml) and a fresh
one is written (train/heldout_2_* to _5_*); until then the held-out folder may be
absent (an empty part).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tools.db.ids import DRAFT_ID_RE, TICKET_ID_RE
from tools.replies import has_chinese

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class Part(StrEnum):
    """Which part of the corpus a file belongs to."""

    TRAIN = "train"
    HELDOUT = "heldout"


class Act(StrEnum):
    """The dialogue act of a message."""

    NEW_REQUEST = "new_request"
    CONFIRM = "confirm"
    DECLINE = "decline"
    OTHER = "other"


NO_INTENT = "none"  # the message only answers a pending action
INTENTS: tuple[str, ...] = (
    "kb_qa", "create_ticket", "resume_draft", "ticket_op.get", "ticket_op.list",
    "ticket_op.comment", "ticket_op.update", "ticket_op.escalate", "ticket_op.cancel",
    "ticket_op.close", "ticket_op.reopen", "ticket_op.resolve", "chitchat.greeting",
    "chitchat.thanks", "chitchat.bye", "out_of_scope", "unclear", NO_INTENT,
)


class CorpusError(ValueError):
    """A corpus file is malformed; the message names the file and the group."""


@dataclass(frozen=True)
class Example:
    """One labelled utterance."""

    text: str
    intent: str
    act: Act
    ctx: str  # none | mem | draft | pending:<tool>
    slots: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def lang(self) -> str:
        """"zh" when the text has Chinese characters, else "en" (mixed zh/en counts as zh: the
        bucket the evaluation reports, not the reply language, which is `tools.replies.lang_of`)."""
        return "zh" if has_chinese(self.text) else "en"

    @property
    def mixed(self) -> bool:
        """Chinese with English words in it (ids do not count)."""
        without_ids = DRAFT_ID_RE.sub(" ", TICKET_ID_RE.sub(" ", self.text))
        return self.lang == "zh" and _LATIN_WORD.search(without_ids) is not None

    @property
    def pending_tool(self) -> str | None:
        """The tool waiting for confirmation in this example's context (a writer's name for a
        tool, such as "comment_ticket", read as the registry's name: "add_comment")."""
        if not self.ctx.startswith("pending:"):
            return None
        name = self.ctx.partition(":")[2]
        return _TOOL_ALIASES.get(name, name) or None


# Writers name the waiting comment after the other ticket tools; the registry calls it add_comment.
_TOOL_ALIASES = {"comment_ticket": "add_comment"}


@cache
def examples(part: Part) -> tuple[Example, ...]:
    """Every example of one part, in file order (read once per process).

    A text repeated in the same context counts once (case-insensitive): a repeat would sit in
    two cross-validation folds at once and be measured on what the model was fitted with.
    """
    folder = resources.files("tools.nlu").joinpath("corpus", part.value)
    if not folder.is_dir():
        return ()
    found: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            groups = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER)
            for e in _parse(groups, f"{part.value}/{entry.name}"):
                if (key := (e.text.lower(), e.ctx)) not in seen:
                    seen.add(key)
                    found.append(e)
    return tuple(found)


def _parse(groups: Any, where: str) -> list[Example]:
    """The examples of one file; CorpusError when a group is malformed."""
    if not isinstance(groups, list):
        raise CorpusError(f"{where}: expected a list of groups")
    out: list[Example] = []
    for n, group in enumerate(groups):
        intent, act, ctx = group.get("intent"), group.get("act"), group.get("ctx", "none")
        if intent not in INTENTS or act not in set(Act):
            raise CorpusError(f"{where} group {n}: unknown intent {intent!r} or act {act!r}")
        for item in group.get("texts") or []:
            if not isinstance(item, str) or not item.strip():
                raise CorpusError(f"{where} group {n}: text {item!r} must be a non-empty string")
            text, _, slots = item.partition(" || ")
            out.append(Example(text.strip(), intent, Act(act), ctx, _slots(slots, where), where))
    return out


def _slots(spec: str, where: str) -> dict[str, str]:
    """"ticket=last priority=P1" → {"ticket": "last", "priority": "P1"}."""
    pairs = [p.partition("=") for p in spec.split()]
    if any(not key or not value for key, _, value in pairs):
        raise CorpusError(f"{where}: bad slots {spec!r}")
    return {key: value for key, _, value in pairs}
