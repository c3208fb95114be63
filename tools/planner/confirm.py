"""Is a whole message the answer to a pending confirmation (确认 / yes, or 算了 / no)?"""

from __future__ import annotations

import re

from tools.domain import TicketStatus
from tools.planner.lexicon import Hit, Lexicon, compile_terms, fold, normalize
from tools.planner.plan import Confirmation
from tools.planner.vocab import terms, tool_terms, vocab
from tools.registry import TICKET_TOOLS

_MAX_CHARS = int(vocab()["confirmation"]["max_chars"])
# the tools that can wait for a yes: those that need one, and the changes a deployment may make
# wait too (vocab's echo table lists their bare verbs: "post it" while a comment waits)
_CONFIRMED_TOOLS = [name for name, tool in TICKET_TOOLS.items()
                    if tool.needs_confirmation or name in vocab()["confirmation"]["echo"]]
_CANCELLING_TOOLS = [
    name for name, tool in TICKET_TOOLS.items() if tool.target_status is TicketStatus.CANCELLED
]
# A confirm may restate the action it confirms ("yes, escalate it", "确认关闭"): the words of the
# tools that need confirmation are echoes. Words of a cancelling tool ("withdraw", "撤销") read as
# cancel unless the pending tool is known to be that tool. Cancel wins ties on equal spans.
def _echoes(name: str) -> list[str]:
    """The words that restate the waiting `name`: its tool words and its bare verbs (关, 升); for a
    tool that only a deployment makes wait, its bare verbs alone ("post it"), so that its many tool
    words ("改成", "set") never turn a longer message into answer words."""
    bare = vocab()["confirmation"]["echo"].get(name) or []
    return [*tool_terms(name), *bare] if TICKET_TOOLS[name].needs_confirmation else list(bare)


_TOKENS = Lexicon({
    "cancel": [*terms("confirmation", "cancel"), *terms("negation", "zh"),
               *terms("negation", "en"), *(w for n in _CANCELLING_TOOLS for w in tool_terms(n))],
    "confirm": terms("confirmation", "confirm"),
    "echo": [w for name in _CONFIRMED_TOOLS for w in _echoes(name)],
    "fixed": terms("confirmation", "fixed"),
    "filler": terms("confirmation", "filler"),
    "unsure": terms("confirmation", "unsure"),
})
_TOOL_WORDS = {name: compile_terms(_echoes(name)) for name in _CONFIRMED_TOOLS}
_SEPARATORS = re.compile(r"[\W_]*")


def classify_confirmation(text: str, *, pending_tool: str | None = None) -> Confirmation | None:
    """"confirm" / "cancel" when the WHOLE message answers a pending action, else None.

    Any cancel or negation word makes it "cancel" ("算了，不取消了", "no, don't cancel it",
    "不确认", "wait, don't close"): when in doubt nothing dangerous runs. "it's fixed" / 已经好了
    may join a yes to a waiting resolve or close. A message with anything else in it
    ("ok, now show me my tickets") or a question ("确认？") is not an answer: None. With
    `pending_tool`, a restated action must be that tool ("yes, close it" does not confirm an
    escalation), and "yes, cancel it" confirms a pending cancel_ticket instead of aborting it.
    """
    normalized = normalize(text)
    if not normalized or len(normalized) > _MAX_CHARS or normalized[-1] in "?？…" \
            or normalized.endswith(".."):
        return None  # empty, a whole new request, a question ("确认？") or a hesitation ("嗯……")
    tokens = _tokens(normalized)
    if tokens is None:
        return None
    kinds = _kinds(tokens, pending_tool)
    if "cancel" in kinds:
        return "cancel"  # "wait, don't close" too: a no with a hesitation is still a no
    if "unsure" in kinds:
        return None  # "不确定", "not sure": neither yes nor no
    if "confirm" in kinds and "mismatch" not in kinds:
        return "confirm"
    if pending_tool in _TOOL_WORDS and "echo" in kinds and set(kinds) <= {"echo", "filler"}:
        return "confirm"  # "关", "升！", "close it" while that action waits: the action asked for again
    return None


def names_another_action(text: str, pending_tool: str | None) -> bool:
    """True when a message of answer words names an action other than the waiting one
    ("yes, close it" while an escalation waits, "yes it's fixed" while a cancel waits)."""
    tokens = _tokens(normalize(text))
    return tokens is not None and "mismatch" in _kinds(tokens, pending_tool)


def answer_words(text: str) -> dict[str, str] | None:
    """The message's answer tokens (folded term → kind), or None when anything else is in it."""
    tokens = _tokens(normalize(text))
    return None if tokens is None else {fold(t.term): t.label for t in tokens}


def has_yes_word(text: str) -> bool:
    """True when a yes-word appears anywhere in the message ("yeah go for it")."""
    return any(hit.label == "confirm" for hit in _TOKENS.hits(normalize(text)))


def _tokens(text: str) -> list[Hit] | None:
    """The message as vocabulary tokens, or None when anything else is in it."""
    hits, edge = _TOKENS.hits(text), 0
    for hit in hits:
        if not _SEPARATORS.fullmatch(text, edge, hit.start):
            return None
        edge = hit.end
    return hits if _SEPARATORS.fullmatch(text, edge) else None


def _kinds(tokens: list[Hit], pending_tool: str | None) -> list[str]:
    """Token kinds, with echoes checked against the pending tool when it is known."""
    kinds: list[str] = []
    tool = TICKET_TOOLS.get(pending_tool or "")
    restated = pending_tool in _TOOL_WORDS and any(
        _TOOL_WORDS[pending_tool].fullmatch(fold(t.term)) for t in tokens)
    for token in tokens:
        kind = token.label
        if kind == "fixed":  # "yes it's fixed" answers a resolve or close, nothing else
            fits = tool is not None and tool.target_status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
            kind = "filler" if fits or restated else "mismatch"  # "yes cancel, sorted it already"
        if pending_tool in _TOOL_WORDS and kind in ("cancel", "echo"):
            restates = _TOOL_WORDS[pending_tool].fullmatch(fold(token.term)) is not None
            if kind == "echo" and not restates:
                kind = "mismatch"
            elif kind == "cancel" and restates and "confirm" in kinds:
                kind = "echo"
        kinds.append(kind)
    return kinds
