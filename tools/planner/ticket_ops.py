"""Which ticket tool a message asks for, and the ticket_op Plan that runs it."""

from __future__ import annotations

import re

from tools.domain import TicketStatus
from tools.planner.analysis import TOOL_NAMES, Analysis, Keyword
from tools.planner.lexicon import compile_terms, fold
from tools.planner.plan import Plan, PlanContext, Talk
from tools.planner.ticket_args import tool_args
from tools.planner.vocab import terms
from tools.registry import TICKET_TOOLS, TicketTool

# Tools named by what they do, not by a second list of names: the reader of one ticket (state
# questions, a ticket named alone) and the lister that filters by status ("已关闭的工单").
SHOW_ONE = next(n for n, t in TICKET_TOOLS.items() if t.reads_only and t.needs_ticket)
LISTER = next(n for n, t in TICKET_TOOLS.items() if "status" in t.args.model_fields)
UPDATER = next(n for n, t in TICKET_TOOLS.items() if "title" in t.args.model_fields)
COMMENTER = next(n for n, t in TICKET_TOOLS.items() if "comment" in t.args.model_fields)
# Bare "取消" / "cancel" is the confirmation protocol's abort word: it never picks a ticket from
# memory on its own; it needs the ticket named in the text ("取消这个工单", "cancel it").
_PROTOCOL_CANCEL = compile_terms(terms("confirmation", "cancel"))
_COLON = re.compile("[:：]")
NEGATION_HEAD = compile_terms([*terms("negation", "zh"), *terms("negation", "en")])
_ACTION_NOUN = re.compile(r"\s*(?:the\s+|that\s+|this\s+)?(?:escalation|closure|closing|reopen(?:ing)?|resolution|"
                          r"comment|note|升级|关单|重开|备注)")
_CANCELLER = next(n for n, t in TICKET_TOOLS.items() if t.target_status is TicketStatus.CANCELLED)
_CLOSER = next(n for n, t in TICKET_TOOLS.items() if t.target_status is TicketStatus.CLOSED)
_STATE_TOOLS = frozenset(n for n, t in TICKET_TOOLS.items()
                         if t.target_status in (TicketStatus.RESOLVED, TicketStatus.OPEN))  # resolve, reopen
_ASKED_FOR = re.compile(r"(?:帮我|麻烦|请|直接|不如|please|pls|just)\s*$")
_PLURAL = re.compile(r"都|全都|全部|们")
_ASKED_AFTER = re.compile(r"(?:\s+|-)(?:(?:this|that|it|le|la|lo)(?:\s+one)?[\s,]+)?"
                          r"(?:for me|please|pls|plz|s'il vous pla[iî]t|svp|por favor|bitte)\b")
_THAT = re.compile(r"\s+(?:that|this|it)\s*(?:[,，.。;；!！]|$)")


def plan_ticket_op(a: Analysis, ctx: PlanContext) -> Plan | None:
    """A ticket_op Plan when a tool keyword counts, else None."""
    if a.used("create") and (not _named(a) or (a.only_pronoun and ctx.ticket_id is None)):
        return None  # "提个工单，要求升级Office", "report an issue and get someone to look at it": a new ticket
    payload = _payload_start(a)
    filters = [k.hit for k in a.keywords if k.kind == "filter" and k.use == "plain"]
    found = [(tool, k) for k in a.keywords
             if k.hit.start < payload and (tool := _tool_of(k, a, ctx))
             and not (k.kind != "filter" and any(f.start <= k.hit.start and k.hit.end <= f.end for f in filters))]
    # a tool word inside a list filter is the filter's status: "show the tickets that got resolved"
    if not found:
        return None
    if len({t for t, _ in found}) > 1:  # "ok scrap that, close the ticket": "scrap that" drops what came before
        found = [(t, k) for t, k in found
                 if not ((NEGATION_HEAD.fullmatch(fold(k.hit.term)) or t == _CANCELLER)
                         and (_THAT.match(a.folded, k.hit.end) or _ACTION_NOUN.match(a.folded, k.hit.end)))]
        # "cancel the escalation and mark it resolved": the cancel is of the escalation
        closing = [k for t, k in found if t == _CLOSER]
        if closing:  # "问题解决了，这单可以关了": the problem's state said first, then the close asked for
            found = [(t, k) for t, k in found if not (t in _STATE_TOOLS and k.kind == "weak"
                                                       and k.hit.end <= closing[0].hit.start)]
    if any(not TICKET_TOOLS[t].reads_only for t, _ in found):  # "我的单子没人理，升个级": one of them
        found = [(t, k) for t, k in found if t != LISTER or k.kind == "filter"]
    if _named(a):  # "我的工单现在是什么状态": a ticket is named, so "我的工单" is that ticket
        # ... unless said in the plural: "我之前提的单都在哪" asks for the list
        found = [(t, k) for t, k in found if t != LISTER or k.kind == "filter" or _PLURAL.search(fold(k.hit.term))]
        if not found:
            return show_ticket(a, ctx, "ref:ticket+my tickets")
    # by tool precedence; for the same tool a list filter ("已关闭的工单") carries the most
    tool, keyword = min(found, key=lambda p: (TOOL_NAMES.index(p[0]), p[1].kind != "filter"))
    if tool == SHOW_ONE and ctx.ticket_id is None and a.only_pronoun and keyword.kind == "weak":
        return Plan(route="chitchat", args={"talk": Talk.CLARIFY.value, "options": ["ticket_op.get", "create_ticket"]},
                    rationale=f"kw:{keyword.hit.term}; only 'it' in a new thread", source="rules")
        # "can you look at this": which ticket, or what problem?
    return plan_tool(TICKET_TOOLS[tool], a, ctx, keyword, f"kw:{keyword.hit.term}→{tool}")


def show_ticket(a: Analysis, ctx: PlanContext, why: str) -> Plan:
    """Show the ticket the message names (a read, so naming it is enough)."""
    return plan_tool(TICKET_TOOLS[SHOW_ONE], a, ctx, None, f"{why}→{SHOW_ONE}")


def plan_tool(tool: TicketTool, a: Analysis, ctx: PlanContext, keyword: Keyword | None,
              why: str) -> Plan:
    """The Plan for `tool`, its args read from the message, confirmation from the registry."""
    hit = keyword.hit if keyword else None
    args, missing = tool_args(tool, a.text, hit, ctx, a.refs.ticket_ids)
    if keyword is not None and keyword.kind == "filter":
        args["status"] = keyword.target
    if tool.needs_ticket and "ticket_id" in missing and len(a.refs.ticket_ids) > 1:
        why += f"; ambiguous: {len(a.refs.ticket_ids)} ticket ids"
    return Plan(route="ticket_op", tool=tool.name, args=args, missing_fields=missing,
                need_confirmation=tool.needs_confirmation, rationale=why, source="rules")


def _payload_start(a: Analysis) -> int:
    """Where the payload starts: after the first colon that follows a tool keyword, or right
    after a comment's own phrase ("let them know in the ticket that …").

    Words in "comment on it: fixed after reboot", "标题改成：关闭VPN后…" or "write in the ticket
    that it's fixed on wifi" are the comment or the title, not another request.
    """
    for k in a.keywords:
        if k.kind == "strong" and k.target == COMMENTER and k.use == "plain":
            return k.hit.end
        if k.kind in ("strong", "weak") and (colon := _COLON.search(a.text, k.hit.end)):
            return colon.end()
    return len(a.text)


def _named(a: Analysis) -> bool:
    """True when the text names a ticket (an id, a back-reference or an ordinal)."""
    return bool(a.refs.ticket_ids or a.refs.ticket_ref or a.refs.ordinal is not None)


def _tool_of(k: Keyword, a: Analysis, ctx: PlanContext) -> str | None:
    """The tool a keyword asks for in this message, or None when it does not count."""
    if k.kind == "filter" and k.use == "plain":
        return LISTER
    if k.kind not in ("strong", "weak") or k.use in ("negated", "asked", "described"):
        return None
    if k.kind == "strong" and k.target == LISTER and k.use == "status":
        return LISTER  # "我还有别的单没": asking whether there are is asking for the list
    if k.kind == "weak" or k.use == "status":
        polite = _ASKED_AFTER.match(a.folded, k.hit.end)  # "cancel this one for me", "fermez-le s'il vous plaît"
        from_context = ctx.ticket_id is not None and (
            a.bare or _instead(k, a) or (polite is not None and not a.folded[polite.end():].strip(" .!！。~")))
        asked = _instead(k, a) or _ASKED_FOR.search(a.folded[max(0, k.hit.start - 6):k.hit.start]) is not None \
            or polite is not None
        if not (a.anchored or (from_context and (not is_protocol_cancel(k.hit.term) or asked))):
            return None  # a bare 取消 is the protocol's word; 帮我取消 / 与其重开不如直接取消 asks for it
    return SHOW_ONE if k.use == "status" else k.target


def _instead(k: Keyword, a: Analysis) -> bool:
    """`k` follows another tool's word said not to be wanted: "不用升级了，刚修好，关掉吧", "don't
    escalate, just close it". The contrast is about the ticket the thread holds."""
    return any(o.kind in ("strong", "weak") and o.use == "negated" and o.target != k.target
               and o.hit.end <= k.hit.start for o in a.keywords)


def is_protocol_cancel(term: str) -> bool:
    """True for the confirmation protocol's abort word itself ("取消", "cancel")."""
    return _PROTOCOL_CANCEL.fullmatch(fold(term)) is not None
