"""The deterministic rules planner (zh + en): a route, a ticket tool and its args from vocab.yaml.

Misspelt vocabulary words are corrected first (tools/nlu/fuzzy.py). The steps run in order and
the first that recognises the message plans it: a draft reference, a ticket operation, a new
ticket, a greeting, a question about a named ticket, a how-to question, the continuation of an
active draft, a bare symptom. A message none of them recognises goes to the trained intent
model (tools/planner/opinion.py): its confident intent is planned, anything else is asked about.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.domain import REQUIRED_FIELDS
from tools.nlu.fuzzy import correct
from tools.planner.analysis import Analysis, Keyword, analyse
from tools.planner.answers import sounds_unsure
from tools.planner.confirm import classify_confirmation
from tools.planner.domain import about_it, general_question
from tools.planner.fields import category_of, extract_ticket_fields
from tools.planner.labels import category_answer, labelled_fields, level_after_verb, level_answer
from tools.planner.lexicon import compile_terms, fold, normalize
from tools.planner.opinion import model_plan, review, says_bye, small_talk_kind, talk
from tools.planner.plan import Plan, PlanContext, Route, Talk
from tools.planner.references import extract_references
from tools.planner.ticket_ops import UPDATER, plan_ticket_op, show_ticket
from tools.planner.vocab import small_talk_terms, terms

__all__ = ["classify_confirmation", "extract_references", "extract_ticket_fields", "plan_rules"]

_DISCARD = compile_terms(terms("draft", "discard"))
_ANOTHER = re.compile(r"新|另|再|another|new")
_GREETING = compile_terms([*small_talk_terms(), *terms("fillers")])
Step = Callable[[Analysis, PlanContext], Plan | None]


def plan_rules(text: str, ctx: PlanContext) -> Plan:
    """The rules-mode Plan for one message, given the ids the caller already resolved."""
    analysis = analyse(correct(normalize(text)))
    for step in _STEPS:
        if (plan := step(analysis, ctx)) is not None:
            return review(plan, analysis, ctx, _build)
    if negated := analysis.used("strong", "weak", "create", use="negated"):
        return talk(Talk.NOTHING, f"negated:{negated[0].hit.term}")
    if not analysis.text:
        return talk(Talk.CLARIFY, "empty", ("create_ticket", "kb_qa"))
    return model_plan(analysis, ctx, _build)


def _build(label: str, a: Analysis, ctx: PlanContext) -> Plan | None:
    """The plan of a non-ticket task the model chose (ticket tools: tools/planner/opinion.py)."""
    why = f"model:{label}"
    if label == "kb_qa":
        return _plan("kb_qa", f"{why}→kb_qa", args={"query": a.text})
    if label == "create_ticket":
        return _new_ticket(a, ctx, why)
    if label == "resume_draft" and ctx.draft_id:
        return _resume(a, ctx, f"{why}→resume_draft")
    return None


def _plan(route: Route, rationale: str, **kw: object) -> Plan:
    return Plan.model_validate({"route": route, "rationale": rationale, "source": "rules", **kw})


def _draft_reference(a: Analysis, ctx: PlanContext) -> Plan | None:
    """"那个草稿" / DRF-… / "continue the draft" resumes it (discarding is not a plan here); a
    goodbye that puts it off ("我先走了，草稿明天再弄") is a goodbye."""
    if not (a.refs.draft_ref or a.refs.draft_ids):
        return None
    if says_bye(a) and not a.used("continue"):
        return talk(Talk.BYE, "bye, the draft later")
    if _DISCARD.search(a.folded):
        return talk(Talk.NOTHING, "ref:draft+discard→unsupported")
    plan = _resume(a, ctx, "ref:draft→resume_draft")
    if not labelled_fields(a.text).values:  # "上次没提交的那个单继续吧" names the draft, it describes nothing
        plan.args.pop("title", None)
        plan.args.pop("description", None)
    return plan


def _resume(a: Analysis, ctx: PlanContext, why: str) -> Plan:
    """Resume the draft with the fields this message adds (a new sentence never renames it)."""
    args = extract_ticket_fields(a.text).filled()
    if "priority" not in args and ctx.draft_id and (level := level_answer(a.text)):
        args = {"priority": level}  # "high please" answers the draft's question, and says nothing else
    elif ctx.draft_id and (category := category_answer(a.text)):
        args = {"category": category}  # "其他吧", "none of those, other"
    elif ctx.draft_id and (lead := _LEAD.match(a.text)) and (category := category_answer(lead.group(1))):
        args["category"] = category  # "other, it's about the coffee machine's tablet app": asked, then told
    if "priority" not in args and ctx.draft_id and (level := level_after_verb(a.text)):
        args["priority"] = level  # "put it as high, deadline friday"
    if ctx.draft_fields.get("title"):
        args.pop("title", None)
    have = {**ctx.draft_fields, **args}
    missing = [] if ctx.draft_id else ["draft_id"]
    missing += [f for f in REQUIRED_FIELDS if not have.get(f)]
    return _plan("resume_draft", why, args=args, missing_fields=missing)


_LEAD = re.compile(r"\s*([^,，:：;；。.]{1,30})[,，:：;；。.]\s*\S")


def _draft_edit(a: Analysis, ctx: PlanContext) -> Plan | None:
    """With an active draft and no ticket named, "标题改成…" / "priority P1" edits the draft."""
    if not ctx.draft_id or a.refs.ticket_ids or a.refs.ticket_ref or a.refs.ordinal is not None:
        return None
    if any(k.target == UPDATER for k in a.used("strong", "weak")):
        return _resume(a, ctx, "kw:update+active draft→resume_draft")
    return None


def _create(a: Analysis, ctx: PlanContext) -> Plan | None:
    """提工单 / open a ticket: a new ticket from the fields given (with none, the active draft)."""
    creates = a.used("create")
    if not creates:
        return None
    if ctx.draft_id and all(fold(k.hit.term).startswith("提交") for k in creates) and not _ANOTHER.search(a.folded):
        return _resume(a, ctx, f"kw:{creates[0].hit.term}+active draft→resume_draft")  # 确认无误，提交工单
    return _new_ticket(a, ctx, f"kw:{creates[0].hit.term}")


def _new_ticket(a: Analysis, ctx: PlanContext, why: str) -> Plan:
    """A new ticket from the fields given; with none and an active draft, that draft."""
    args = extract_ticket_fields(a.text).filled()
    if ctx.draft_id and not args:
        return _resume(a, ctx, f"{why}+active draft→resume_draft")
    missing = [f for f in REQUIRED_FIELDS if f not in args]
    return _plan("create_ticket", f"{why}→create_ticket", args=args, missing_fields=missing)


def _greeting(a: Analysis, ctx: PlanContext) -> Plan | None:
    """你好 / thanks / bye, and nothing else."""
    if ctx.draft_id and a.used("continue"):
        return None  # "that's all" carries an active draft on
    if a.chitchat and not _GREETING.sub("", a.folded).strip(" ,，。.!！?？~"):
        return _plan("chitchat", "greeting")
    return None


def _thanks_for(a: Analysis, ctx: PlanContext) -> Plan | None:
    """Thanks for something done or said, in one clause ("好的，谢谢你帮我建单", "thanks for
    explaining what escalation means"): small talk, not a request for it again."""
    if (told := _THANKS_TOLD.match(a.folded)) and not _NEXT_CLAUSE.search(a.folded, told.end()):
        return talk(Talk.THANKS, "thanks:for")  # "thanks, good to know it goes to L2", "谢谢告诉我可以重开"
    thanked = _THANKS_FOR.match(a.folded)
    if thanked is None or _CLAUSE.search(a.folded, thanked.end()):
        return None
    if _ASKS_NOW.search(a.folded, thanked.end()) and "了" not in a.folded[thanked.end():]:
        return None  # "谢谢你帮我看看打印机": a polite request, nothing done yet
    return talk(Talk.THANKS, "thanks:for")


# a yes-word may come first; then thanks, and what it was for ("谢谢你把…讲得这么清楚");
# nothing after it but its own clause
_THANKS_FOR = re.compile(r"^\W*(?:(?:ok(?:ay)?|好的|好|嗯|行|cool|great)\W*)?"
                         r"(?:thanks?(?: you)?|thank u|thx|ty|cheers|谢谢|多谢|感谢|谢了)\s*(?:a lot|so much)?\s*"
                         r"(?:for\s+(?:\w+ing|the|your|that|this)\b"
                         r"|(?:你们|你|您)\s*(?:帮我|帮忙|给我|替我|跟我|告诉我|的)|的?解释"
                         r"|(?:你们|你|您)?\s*把[^，,。!！?？]{1,20}?(?:讲|说|解释|介绍|写)得)")
# thanks for being told something, or for what was said: what follows is what they were told
_THANKS_TOLD = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|好的|好|嗯|行|cool|great|ah|oh)\W*)?"
    r"(?:thanks?(?: you)?|thank u|thx|ty|cheers|ta|谢谢|多谢|感谢|谢了|谢啦)\s*(?:a lot|so much)?\W*"
    r"(?:for\s+(?:telling|letting me know|the heads[- ]up|the info|clarifying|explaining|confirming)"
    r"|(?:你们|你|您)?\s*(?:告诉我|提醒我|跟我说|说明|解释)"
    r"|(?:good to know|noted|got it|understood|makes sense|that helps|明白了|了解了?|知道了|懂了|清楚了))")
_BREAK = r"[,，;；。.!！?？]\s*\S|\b(?:but|and (?:can|could|now|please|also))\b|(?:再帮|麻烦|顺便|另外|不过|但是)"
_NEXT_CLAUSE = re.compile(_BREAK)  # what one was told may say 可以 ("谢谢告诉我可以重开")
_ASKS_NOW = re.compile(r"一下|([\u4e00-\u9fff])\1")  # 看一下, 看看, 查查
_CLAUSE = re.compile(_BREAK + r"|可以|能不能")


def _ticket_question(a: Analysis, ctx: PlanContext) -> Plan | None:
    """A ticket named alone, or asked about ("TCK-… 为什么还没处理"): show it."""
    named = a.refs.ticket_ids or a.refs.ticket_ref or a.refs.ordinal is not None
    if not named or a.used("strong", "weak", "create", use="negated"):
        return None
    if ctx.draft_id and not a.refs.ticket_ids and a.used("continue"):
        return None  # "确定提交这个单" while a draft is filled: this one is the draft
    if a.bare or a.kb_question:
        return show_ticket(a, ctx, "ref:ticket")
    return None


def _general(a: Analysis, ctx: PlanContext) -> Plan | None:
    """A question about how tickets work, not about one ("什么情况下工单可以升级"): the knowledge base."""
    if general_question(a):
        return _plan("kb_qa", "kb:general→kb_qa", args={"query": a.text})
    return None


def _kb(a: Analysis, ctx: PlanContext) -> Plan | None:
    """How-to questions: 怎么 / 如何 / 为什么 / how do I / what is …"""
    asked = a.used("create", "strong", "weak", use="asked")
    if asked or a.kb_question:
        why = f"asked:{asked[0].hit.term}" if asked else "kb:question"
        return _plan("kb_qa", f"{why}→kb_qa", args={"query": a.text})
    return None


def _draft_continuation(a: Analysis, ctx: PlanContext) -> Plan | None:
    """With an active draft, more fields or 继续 / 补充 carry it on; small talk about nothing IT
    ("你好，我回来了", "I'll finish this later, bye") is small talk, and "不知道" is no detail."""
    if not ctx.draft_id or a.used("strong", "weak", "create", use="negated"):
        return None
    if a.chitchat and not about_it(a) and not a.used("continue"):
        return talk(small_talk_kind(a, ctx), "small talk in a draft")
    if sounds_unsure(a.folded) and not about_it(a) and not extract_ticket_fields(a.text).category:
        return talk(Talk.CLARIFY, "unsure in a draft", ("resume_draft", "create_ticket"))
    cont: list[Keyword] = a.used("continue")
    if cont:
        return _resume(a, ctx, f"kw:{cont[0].hit.term}→resume_draft")
    if extract_ticket_fields(a.text).filled():
        return _resume(a, ctx, "fields→resume_draft")
    return None


def _symptom(a: Analysis, ctx: PlanContext) -> Plan | None:
    """A bare symptom ("VPN连不上") with no request: search the knowledge base."""
    if a.used("strong", "weak", "create", use="negated"):
        return None
    if category := category_of(a.text):
        return _plan("kb_qa", f"symptom:{category}→kb_qa", args={"query": a.text})
    return None


_STEPS: tuple[Step, ...] = (
    _draft_reference, _draft_edit, _thanks_for, _general, plan_ticket_op, _create, _greeting, _ticket_question, _kb,
    _draft_continuation, _symptom,
)
