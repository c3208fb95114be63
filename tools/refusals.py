"""Refusals for people: why a request was not carried out, and what can be done instead.

Which statuses and roles a tool allows is read from the registry (tools/registry.py) and the
state machine (tools/domain.py), never written again here; the words come from tools/text/.
"""

from __future__ import annotations

from typing import Any

from tools.domain import CATEGORIES, MAX_ESCALATION, PRIORITIES, ROLES, TicketStatus, can_transition_ticket
from tools.registry import TICKET_TOOLS, CommentArgs, TicketTool, get_tool
from tools.replies import Lang, fill, say, texts, word

# What a person who asked for the key probably wants when it is refused, best first. Each is
# offered only when the registry allows it on the ticket's current status, for every role.
INSTEAD: dict[str, tuple[str, ...]] = {
    "close_ticket": ("cancel_ticket",),
    "cancel_ticket": ("close_ticket",),
    "escalate_ticket": ("reopen_ticket", "add_comment"),
    "update_ticket": ("reopen_ticket", "add_comment"),
    "reopen_ticket": ("add_comment",),
    "resolve_ticket": ("close_ticket", "cancel_ticket", "add_comment"),
}
_WITH_ALTERNATIVE = ("INVALID_TRANSITION", "FORBIDDEN")


def allowed_statuses(tool: TicketTool) -> list[TicketStatus]:
    """The statuses `tool` may run on, in lifecycle order (every status when unrestricted)."""
    return [s for s in TicketStatus
            if (tool.statuses is None or s in tool.statuses)
            and (tool.target_status is None or can_transition_ticket(s, tool.target_status))]


def alternative(tool: str | None, status: str | None) -> str | None:
    """The first action in INSTEAD[tool] that everyone may run on a ticket in `status`."""
    if status is None or status not in TicketStatus.__members__:
        return None
    for name in INSTEAD.get(tool or "", ()):
        alt = TICKET_TOOLS[name]
        if set(alt.roles) == set(ROLES) and TicketStatus(status) in allowed_statuses(alt):
            return name
    return None


def one_of(words: list[str], lang: Lang) -> str:
    """"a, b or c" / "a、b或c"."""
    if len(words) < 2:
        return "".join(words)
    sep = "、" if lang == "zh" else ", "
    return sep.join(words[:-1]) + say("or", lang) + words[-1]


def refusal(reason: str, lang: Lang, *, tool: str | None = None, ticket_id: str | None = None,
            status: str | None = None, draft_id: str | None = None) -> str:
    """One or two sentences: why `reason` stopped `tool`, and what the person can do instead."""
    lines = texts()[lang]["refusals"]
    key = _variant(reason, tool, status) if reason in lines else "unknown"
    values = _facts(lang, tool, ticket_id, status, draft_id)
    why = fill(lines[key], lang, **values)
    instead = _instead(key, reason if key != "unknown" else key, lang, tool, status, values)
    text = say("refusal", lang, why=why, instead=instead).strip()
    return text[:1].upper() + text[1:]


def _variant(reason: str, tool: str | None, status: str | None) -> str:
    found = get_tool(tool)
    if reason == "INVALID_TRANSITION":
        if found is None or status not in TicketStatus.__members__:
            return "INVALID_TRANSITION_unknown"
        return "INVALID_TRANSITION_already" if found.target_status == status else reason
    if reason == "FORBIDDEN" and (found is None or set(found.roles) == set(ROLES)):
        return "FORBIDDEN_unknown"
    if reason == "INVALID_ARGS" and tool == "add_comment":
        return "INVALID_ARGS_comment"
    return reason


def _facts(lang: Lang, tool: str | None, ticket_id: str | None, status: str | None,
           draft_id: str | None) -> dict[str, Any]:
    lines = texts()[lang]["refusals"]
    found = get_tool(tool)
    action = word("tools", found.name, lang) if found else ""
    return {
        "ticket": lines["named_ticket"].format(ticket_id=ticket_id) if ticket_id else lines["this_ticket"],
        "draft": lines["named_draft"].format(draft_id=draft_id) if draft_id else lines["this_draft"],
        "status": status or "", "action": word("tools_done", found.name, lang) if found else "",
        "verb": action,
        "allowed": one_of([word("statuses", s, lang) for s in allowed_statuses(found)], lang)
        if found else "",
        "roles": one_of([word("roles", r, lang) for r in ROLES if found and r in found.roles], lang),
        "action_phrase": lines["action_phrase"].format(action=action, ticket_id=ticket_id or "")
        if found else lines["this_action"],
        "level": MAX_ESCALATION,
        "max_chars": CommentArgs.model_fields["comment"].metadata[-1].max_length,
        "actions": one_of([word("tools", t.name, lang) for t in TICKET_TOOLS.values()
                           if set(t.roles) == set(ROLES)], lang),
        "categories": one_of([word("categories", c, lang) for c in CATEGORIES], lang),
        "priorities": one_of([word("priorities", p, lang) for p in PRIORITIES], lang),
    }


def _instead(key: str, reason: str, lang: Lang, tool: str | None, status: str | None,
             values: dict[str, Any]) -> str:
    lines = texts()[lang]["refusals"]
    if reason in _WITH_ALTERNATIVE:
        if alt := alternative(tool, status):
            return fill(lines["instead"], lang, verb=word("tools", alt, lang))
        return lines["instead_new" if reason == "INVALID_TRANSITION" else f"{reason}_instead"]
    return fill(lines.get(f"{key}_instead", ""), lang, **values)
