"""Arguments of a chosen ticket tool, read from the message as its registry schema asks."""

from __future__ import annotations

import re
from typing import Any

from tools.domain import TICKET_FIELDS
from tools.planner.fields import priority_word
from tools.planner.labels import (
    EXPLICIT_PRIORITY,
    labelled_fields,
    level_after_verb,
    level_named,
    named_category,
)
from tools.planner.lexicon import Hit, alternation, compile_terms, fold
from tools.planner.plan import PlanContext
from tools.planner.references import FOLDED_TICKET_ID
from tools.planner.summary import is_trivial
from tools.planner.vocab import terms
from tools.registry import TicketTool

# These run on folded text (lexicon.fold); the values are sliced from the original.
# What may sit between a comment keyword and the comment: "to TCK-… saying", "里写上".
_COMMENT_LEAD = re.compile(
    f"(?:{FOLDED_TICKET_ID}|{alternation(terms('references', 'ticket'))}|"
    f"{alternation(terms('args', 'comment_lead'))}|"
    "(?:it|this|that|to|on|for|in|at)(?![a-z'’])|[里中]|\\s|[,，])+",
)
_REASON_MARKER = alternation(terms("args", "reason_markers"))
_REASON = re.compile(f"(?:{_REASON_MARKER})\\s*[:：]?\\s*(?P<v>.+)")
_RENAME = [compile_terms([p]) for p in terms("args", "rename")]


def tool_args(tool: TicketTool, text: str, hit: Hit | None, ctx: PlanContext,
              ids: list[str]) -> tuple[dict[str, Any], list[str]]:
    """(args, missing_fields) for `tool`: only the arguments its schema declares."""
    args: dict[str, Any] = {}
    missing: list[str] = []
    declared = tool.args.model_fields
    if tool.needs_ticket:
        _put(args, missing, "ticket_id", ticket_id(ctx, ids))
    if "comment" in declared:
        _put(args, missing, "comment", comment_text(text, hit) if hit else None)
    if "title" in declared:  # an update: at least one changed field
        changes = update_changes(text)
        args |= changes
        missing += [] if changes else ["changes"]
    if "reason" in declared and (reason := _REASON.search(fold(text), hit.end if hit else 0)):
        args["reason"] = text[reason.start("v"):].strip(" 。.!！")
    return args, missing


def ticket_id(ctx: PlanContext, ids: list[str]) -> str | None:
    """The ticket to act on; two different ids in the text are ambiguous and give None."""
    if ctx.ticket_id and ctx.ticket_source == "explicit":
        return ctx.ticket_id
    if ids:
        return ids[0] if len(ids) == 1 else None
    return ctx.ticket_id


def comment_text(text: str, hit: Hit) -> str | None:
    """The comment: what follows a colon, or what follows the keyword and its ticket."""
    rest = text[hit.end:]
    colon = re.search("[:：]", rest)
    lead = _COMMENT_LEAD.match(fold(rest))
    body = rest[colon.end() if colon else lead.end() if lead else 0:].strip(" ,，。.")
    return None if not body or is_trivial(body) else body


def update_changes(text: str) -> dict[str, str]:
    """The fields an update names: labels ("优先级改成P1"), a rename, a category named in words
    ("改成网络类", "move it to hardware category"), a level after a change verb, priority words."""
    labelled = labelled_fields(text).values
    changes: dict[str, str] = {
        k: labelled[k] for k in TICKET_FIELDS if k != "priority" and k in labelled
    }
    for pattern in _RENAME:
        if "title" not in changes and (rename := pattern.search(fold(text))):
            changes["title"] = text[rename.start("v"):rename.end("v")].strip(" 。.!！")
    if "category" not in changes and (named := named_category(text, change=True)):
        changes["category"] = named  # "move it to hardware category", "应该是软件"
    explicit = EXPLICIT_PRIORITY.search(fold(text))
    priority = level_after_verb(text) or (f"P{explicit.group('n')}" if explicit else labelled.get("priority"))
    if priority := priority or level_named(text) or priority_word(text):
        changes["priority"] = priority
    return changes


def _put(args: dict[str, Any], missing: list[str], name: str, value: str | None) -> None:
    """Set args[name], or record it as missing."""
    if value:
        args[name] = value
    else:
        missing.append(name)
