"""What a message means while an action waits for confirmation: confirm, decline, new, unclear.

The lexicon answers first (tools/planner/confirm.py): a message made only of yes-words confirms,
any no-word declines. The dialogue-act model reads the rest ("yeah go for it", "no, go ahead").
A model "confirm" runs a dangerous action, so it needs high confidence and a yes-word in the
message; anything neither clearly yes, clearly no nor a clear new request is UNCLEAR, and the
action keeps waiting. While a cancel waits, the bare word 取消 / "cancel" is unclear too: it could
mean "cancel the ticket" or "cancel this", so the person is asked again (保留 / "keep it" declines).
"""

from __future__ import annotations

import re
from enum import StrEnum

from tools.domain import TicketStatus
from tools.nlu.corpus import Act
from tools.nlu.fuzzy import correct
from tools.nlu.model import PENDING, act_model
from tools.planner.analysis import Keyword, analyse
from tools.planner.confirm import answer_words, classify_confirmation, has_yes_word, names_another_action
from tools.planner.domain import CANNOT, word_counts
from tools.planner.lexicon import Hit, alternation, compile_terms, fold, mask, normalize
from tools.planner.modifiers import modifier
from tools.planner.plan import Plan, Talk
from tools.planner.references import TICKET_ID
from tools.planner.ticket_ops import NEGATION_HEAD, is_protocol_cancel
from tools.planner.vocab import terms, tool_terms, vocab
from tools.registry import TICKET_TOOLS

MODEL_CONFIRM = 0.85  # a model-read yes (with a yes-word in it) that may run the action
MODEL_OVERRULES_NO = 0.95  # a yes the lexicon read as no ("no, go ahead", "不用再问了，执行吧")
MODEL_DECLINE = 0.6
MODEL_OTHER = 0.5
_EDGE = " ,，。.!！~"


class Answer(StrEnum):
    """How a message relates to the action that waits for confirmation."""

    CONFIRM = "confirm"
    DECLINE = "decline"
    NEW_REQUEST = "new_request"  # supersedes the waiting action
    UNCLEAR = "unclear"  # the action keeps waiting; ask again


def read_answer(text: str, pending_tool: str | None, plan: Plan | None = None,
                target: str | None = None) -> Answer:
    """The answer `text` gives to the waiting `pending_tool` on `target`.

    `plan` is the rules plan of `text` read as a new request (None: no new request possible).
    """
    text = correct(text)
    if ambiguous_cancel(text, pending_tool):
        return Answer.UNCLEAR
    if _ABOUT_THIS.search(fold(normalize(text))):
        return Answer.UNCLEAR  # "没看懂", "what does that mean?": asked again, never a no
    if (dropped := drops_the_ticket(text, pending_tool)) is not None:
        return dropped  # "嗯，不要了" confirms a waiting cancel; "不要了" alone is asked again
    word = classify_confirmation(text, pending_tool=pending_tool)
    if word == "confirm":
        return Answer.CONFIRM
    folded = fold(normalize(text))
    if drops_the_waiting(text, pending_tool):
        return Answer.DECLINE  # "scrap that comment", 升级就算了吧: the waiting action dropped by name
    if _keeps_as_is(folded, pending_tool, plan):
        return Answer.DECLINE  # "leave it open a few more days" while a close waits
    if _LATER.search(folded) and not _ends_asking(folded) and _A_NOT_A.search(folded) is None \
            and _BYE_WORD.search(folded) is None \
            and not (plan is not None and (_other_ticket_op(plan, pending_tool) or plan.rationale == "thanks:for")):
        return Answer.DECLINE  # "等会儿再说", "escalate it tomorrow": not now, so not yet
    if word is None and names_another_action(text, pending_tool):
        # "yes, close it" while an escalation waits: never a yes to the escalation; a request
        # for the other action in its own words supersedes it (and waits for its own yes)
        return Answer.NEW_REQUEST if plan is not None and _other_ticket_op(plan, pending_tool) \
            else Answer.UNCLEAR
    act = act_model().predict(text, PENDING)
    if word is None and plan is not None and (_other_ticket_op(plan, pending_tool) or _other_task(plan)) \
            and _NO.search(_without_tool(folded, pending_tool)) \
            and _A_NOT_A.search(folded) is None and not defers(folded):
        return Answer.NEW_REQUEST  # "不用催了，刚刚修好了，直接关单": not this one, that one instead
    if word == "cancel":
        if plan is not None and _asks_another_op(plan, pending_tool, text, folded) and not _aborts(plan, folded):
            return Answer.NEW_REQUEST  # "don't escalate, just close it", "别标了，直接关掉"
        overruled = act.label == Act.CONFIRM and act.confidence >= MODEL_OVERRULES_NO
        return Answer.CONFIRM if overruled and has_yes_word(text) else Answer.DECLINE
    asks_own = plan is not None and is_clear_request(plan) and not _restates(plan, pending_tool, target) and (
        plan.rationale.startswith("kw:") or (_other_task(plan) and plan.route == "resume_draft")
        or (plan.route == "kb_qa" and plan.rationale.startswith(("asked:", "kb:question"))
            and not _about_the_action(text, plan, pending_tool)))
    # "等等，先把我所有的单列一下", "wait, let's continue my draft first", "wait, how do I add the printer?"
    if is_unsure(text) or (_UNSURE.search(folded) and not plainly_no(text, pending_tool) and not asks_own):
        return Answer.UNCLEAR  # "hold on", "不确定", "umm, not sure about cancelling"
    if plan is not None and plan.rationale == "greeting" and not plainly_no(text, pending_tool):
        return Answer.UNCLEAR  # "thanks", "gotta go, bye": said back, no yes (its "go"), and it keeps waiting
    if not_yet(folded) and not plainly_no(text, pending_tool) and not (plan is not None and (
            _other_ticket_op(plan, pending_tool)
            or (plan.args.get("talk") == Talk.OUT_OF_SCOPE and not has_yes_word(text)))):  # 明天天气怎么样
        return Answer.UNCLEAR  # "yes but tomorrow", "right, I'll ask my boss": no yes to run it now
    other_said = act.label in (Act.OTHER, Act.DECLINE) and act.confidence >= MODEL_OTHER
    if plan is not None and _restates(plan, pending_tool, target) and plainly_yes(text, pending_tool) \
            and not other_said and (has_yes_word(text) or not _THANKS_LEAD.match(folded)) \
            and (plan.rationale.startswith("kw:") or has_yes_word(text)
                 or (act.label == Act.CONFIRM and act.confidence >= MODEL_CONFIRM)):
        return Answer.CONFIRM  # "close it" / "是的，可以关了" / "升吧" while that action waits
    asks_else = plan is not None and plan.rationale.startswith("kw:") and is_clear_request(plan) \
        and not _restates(plan, pending_tool, target)  # "好的，帮我提个工单": its own words win
    if act.label == Act.CONFIRM and act.confidence >= MODEL_CONFIRM and has_yes_word(text) \
            and plainly_yes(text, pending_tool) and not asks_else:
        return Answer.CONFIRM
    if act.label == Act.DECLINE and act.confidence >= MODEL_DECLINE:
        return Answer.DECLINE
    if act.label == Act.OTHER and act.confidence >= MODEL_OTHER:
        return Answer.UNCLEAR  # "what happens if I escalate?", "hold on"
    if plainly_no(text, pending_tool) and not (plan is not None and is_clear_request(plan)
                                               and not plan.rationale.startswith("ref:")
                                               and not _restates(plan, pending_tool, target)):
        return Answer.DECLINE  # "actually no", "I still need the ticket, keep it", "唔好取消住"
    if defers(folded) and not (plan is not None and _other_ticket_op(plan, pending_tool)):
        return Answer.UNCLEAR  # "let me ask my boss first": not yet an answer, and no new request
    if plan is not None and plan.rationale.startswith("model:") and _few_words(folded):
        return Answer.UNCLEAR  # "冲", "yeh": a guess from one word is no clear new request
    if plan is not None and is_clear_request(plan) and not _about_the_action(text, plan, pending_tool):
        if is_aside(text, plan):
            return Answer.UNCLEAR  # "对了明天会下雨吗": answered, and the action keeps waiting
        if plan.args.get("talk") == Talk.OUT_OF_SCOPE and act.prob(Act.OTHER) >= act.prob(Act.NEW_REQUEST):
            return Answer.UNCLEAR  # "会有什么影响？": about nothing but the waiting action
        return Answer.NEW_REQUEST
    return Answer.UNCLEAR


def _about_the_action(text: str, plan: Plan, pending_tool: str | None) -> bool:
    """A question about the waiting action itself ("升级会怎么样", "can it be reopened later?").

    A how-to question naming the waiting tool, a question planned as a change of a ticket, or
    one planned as a read that asks what follows ("will I still see it in my list?") asks about
    what is about to happen: the action keeps waiting, asked again.
    """
    folded = fold(normalize(text)).rstrip(_EDGE)
    if _ABOUT_THIS.search(folded):
        return True  # "what does that mean?", "哪个工单？"
    question = _ends_asking(folded, "呢") or _QUESTION.search(folded) is not None \
        or _ASKING.search(folded) is not None
    if not question:
        return False
    if plan.route == "kb_qa" or plan.args.get("talk") == Talk.OUT_OF_SCOPE:
        named = pending_tool in _TOOL_WORDS and _TOOL_WORDS[pending_tool].search(folded) is not None
        return named or _CONSEQUENCE.search(folded) is not None  # "会有什么影响？", "can I undo that?"
    tool = TICKET_TOOLS.get(plan.tool or "")
    if plan.route == "ticket_op" and tool is not None and tool.reads_only:
        return _CONSEQUENCE.search(folded) is not None  # "will I still see it in my list?"
    return plan.route == "ticket_op" and tool is not None


def plainly_yes(text: str, pending_tool: str | None) -> bool:
    """No question and no negation (the waiting tool's own words aside: "yes, cancel it").

    What a yes read by the model, or a restated action, must look like to run the action.
    """
    folded = mask(_without_tool(fold(normalize(text)).rstrip(_EDGE), pending_tool), _YES)  # "没问题"
    folded = mask(folded, _NOT_A_NO)  # "确认重开，又连不上了": a symptom's 不 negates no action
    asked = _ends_asking(folded) or _ASKING.search(folded) is not None
    return not asked and _NEGATION.search(folded) is None


def drops_the_waiting(text: str, pending_tool: str | None) -> bool:
    """The waiting action's own word is negated ("scrap that comment", "forget the escalation",
    备注就不用加了) and no other action is asked for after it ("不用升级了，直接撤销吧" asks for
    the cancel), nor is anything asked about it."""
    folded = fold(normalize(text))
    if pending_tool is None or (NEGATION_HEAD.search(folded) is None and _LET_OFF.search(folded) is None):
        return False  # most answers ("yes", "确认") have no negation: nothing to analyse again
    a = analyse(correct(normalize(text)))
    named = [k.hit for k in a.keywords if k.target == pending_tool]
    if nouns := _NOUNS.get(pending_tool):
        named += [Hit("noun", m.group(), m.start(), m.end()) for m in nouns.finditer(a.folded)]
    unsure = mask(a.folded, _UNSURE)  # "not sure about cancelling": the not is of the sure
    dropped = [hit for hit in named if modifier(unsure, hit) == "negated"  # 还没关的单: a state
               and not (_NOT_YET.search(a.folded, 0, hit.start) and a.folded.startswith("的", hit.end))]
    if not dropped or _ends_asking(a.folded.rstrip(_EDGE)) or _ASKING.search(a.folded) \
            or _A_NOT_A.search(a.folded):
        return False
    # another action asked for, before or after ("push it to level 2 instead of closing"), unless
    # its word is the very verb that drops the waiting one ("scrap that comment")
    if a.refs.draft_ref or a.refs.draft_ids:
        return False  # "先别关，我想继续填刚才的草稿": the draft is asked for instead
    return not any(k.kind in ("strong", "weak", "create", "filter") and k.target != pending_tool
                   and k.use == "plain" and not _drops(k, dropped) for k in a.keywords)


def _drops(k: Keyword, dropped: list[Hit]) -> bool:
    """`k` is the verb that drops the waiting action ("scrap that comment", 取消升级), not a request
    of its own ("不用催了，取消掉它")."""
    return NEGATION_HEAD.fullmatch(fold(k.hit.term)) is not None and any(
        k.hit.end <= hit.start <= k.hit.end + 8 for hit in dropped)


def _keeps_as_is(folded: str, pending_tool: str | None, plan: Plan | None) -> bool:
    """The ticket kept as it is while a change of its status waits ("leave it open a few more
    days", "no, just leave that one shut"), with no other action asked for outside those words."""
    tool = TICKET_TOOLS.get(pending_tool or "")
    if tool is None or tool.target_status is None or _ends_asking(folded):
        return False
    kept = _KEEP_AS_IS.search(folded)
    return kept is not None and not (plan is not None and (
        (plan.route == "ticket_op" and plan.tool != pending_tool and _keyword(plan) not in kept.group())
        or _other_task(plan)))


def sounds_unsure(folded: str) -> bool:
    """An unsure word anywhere ("不知道", "dunno", "whatever works")."""
    return _UNSURE.search(folded) is not None


def is_aside(text: str, plan: Plan) -> bool:
    """An out-of-scope question put in passing ("对了明天会下雨吗", "btw what's the weather"): it is
    answered, and the waiting action keeps waiting (a new IT request would supersede it)."""
    return plan.args.get("talk") == Talk.OUT_OF_SCOPE and _ASIDE.search(fold(normalize(text))) is not None


def _aborts(plan: Plan, folded: str) -> bool:
    """"cancel that" / "取消吧" while another action waits: the protocol's abort word on nothing but
    "it" / "that", so no ticket is to be cancelled ("cancel the ticket", "cancel TCK-…" name one)."""
    return is_protocol_cancel(_keyword(plan)) and _TICKET_NOUN.search(folded) is None \
        and TICKET_ID.search(folded) is None


def _keyword(plan: Plan) -> str:
    """The keyword a rules plan was made from ("kw:close→close_ticket" → "close"), folded."""
    return fold(plan.rationale.partition("→")[0].removeprefix("kw:"))


def _without_tool(folded: str, pending_tool: str | None) -> str:
    """`folded` with the waiting tool's own words masked ("取消以后还能恢复吗" while a cancel
    waits: its 取消 is the action asked about, no "not this one")."""
    return mask(folded, _TOOL_WORDS[pending_tool]) if pending_tool in _TOOL_WORDS else folded


def drops_the_ticket(text: str, pending_tool: str | None) -> Answer | None:
    """While a cancel waits: "I don't need it any more" (不要了) with a yes-word confirms it;
    alone it is asked about again (it could mean "don't"). None when the message says neither.

    Any other no-word or a question leaves the message to the other rules (a no wins there).
    """
    tool = TICKET_TOOLS.get(pending_tool or "")
    if tool is None or tool.target_status is not TicketStatus.CANCELLED:
        return None
    folded = fold(normalize(text)).rstrip(_EDGE)
    if _NO_LONGER.search(folded) is None:
        return None
    rest = mask(mask(folded, _NO_LONGER), _TOOL_WORDS[tool.name])
    if _NEGATION.search(mask(rest, _YES)) or _ends_asking(rest) or _ASKING.search(rest):
        return None
    return Answer.CONFIRM if _YES.search(rest) else Answer.UNCLEAR


def plainly_no(text: str, pending_tool: str | None) -> bool:
    """A no-word (the waiting tool's own words aside), no yes-word, and not a question."""
    folded = mask(_without_tool(mask(fold(normalize(text)).rstrip(_EDGE), _UNSURE), pending_tool), CANNOT)
    no = _NO.search(folded) is not None and _A_NOT_A.search(folded) is None
    return no and not has_yes_word(text) and not _ends_asking(folded)


def is_unsure(text: str) -> bool:
    """The message is "not sure" / "hold on" (and filler): neither yes nor no."""
    words = answer_words(text)
    return words is not None and "unsure" in words.values()


_TOOL_WORDS = {name: compile_terms(tool_terms(name)) for name in TICKET_TOOLS}
_QUESTION = compile_terms(terms("intents", "kb_question"))
_ASKING = compile_terms(terms("confirmation", "asking"))  # "升级是给谁看": a question, never a yes
_ABOUT_THIS = compile_terms(terms("confirmation", "about_this"))
_CONSEQUENCE = compile_terms(terms("confirmation", "consequence"))
_UNSURE = compile_terms(terms("confirmation", "unsure"))
_DEFER = compile_terms(terms("confirmation", "defer"))
_LATER = compile_terms(terms("confirmation", "later"))
_KEEP_AS_IS = compile_terms(terms("confirmation", "keep_as_is"))
_LET_OFF = compile_terms(terms("negation", "zh_after"))  # "重开就免了"
_BYE_WORD = compile_terms(terms("intents", "small_talk", "bye"))  # "先下班了，明天再说，拜拜": it keeps waiting
# a message that starts by thanking restates the action it was told about, it does not ask for it
_THANKS_LEAD = re.compile(rf"^\W*(?:{alternation(terms('intents', 'small_talk', 'thanks'))})")
_ASIDE = re.compile(rf"^\W*(?:{alternation(terms('confirmation', 'aside'))})")
_YES = compile_terms([t for t in terms("confirmation", "confirm")
                      if fold(t) not in {fold(n) for n in terms("confirmation", "cancel")}])
# no "no" to a yes: what cannot be done (升吧，等不了了) and "it's fine now" (关吧 没事了); on its
# own 没事了 may still be a no, so plainly_no masks only the first
_NOT_A_NO = re.compile(f"{CANNOT.pattern}|没事了?")
_NO_LONGER = compile_terms(terms("confirmation", "no_longer_needed"))
_A_NOT_A = re.compile("能不能|要不要|是不是|可不可以|行不行|好不好|会不会|有没有"
                      "|可唔可以|系唔系|得唔得|要唔要|使唔使|有冇|会唔会|好唔好"  # Cantonese too
                      "|(?P<verb>[\u4e00-\u9fff])[不唔](?P=verb)")  # 升不升, 关唔关
# a no-word anywhere; the bare 别 only as the negation's own pattern has it (not 区别, 类别)
_CANCEL_WORDS = [t for t in terms("confirmation", "cancel") if t != "别"]
_NO = compile_terms([*terms("negation", "zh"), *terms("negation", "en"), *_CANCEL_WORDS])
_NEGATION = compile_terms([*terms("negation", "zh"), *terms("negation", "en"),
                           *_CANCEL_WORDS, *terms("confirmation", "unsure")])


def _ends_asking(folded: str, *more: str) -> bool:
    """The message ends as a question, laughter, emoji and closing punctuation aside
    ("升级是免费的吗 哈哈", "is that free? lol")."""
    return _TAIL.sub("", folded).endswith(("?", "？", "吗", "么", *more))


_TAIL = re.compile(r"(?:\s|[哈呵嘿嘻]|lol|lmao|ha(?:ha)+|he(?:he)+|xd|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
                   r"|[~～!！.。,，…])*$")


def _few_words(folded: str) -> bool:
    """At most two words, or four Chinese characters: too little to be a clear new request."""
    latin, chinese = word_counts(folded)
    return latin + (chinese + 1) // 2 <= 2


def not_yet(folded: str) -> bool:
    """The message puts the action off ("yes but tomorrow", "ok, later then", 好的我先问问领导): a
    time to come (not a deadline: "by tomorrow") or something the person does first."""
    return defers(folded) or _WHEN_LATER.search(folded) is not None


_WHEN_LATER = re.compile(r"(?<!by )(?<!before )(?<!until )(?<!till )\b(?:later|tomorrow|next week|tonight|"
                         r"on (?:monday|tuesday|wednesday|thursday|friday)|after lunch|in an hour)\b"
                         r"|(?<![到前])(?:明天|下周|晚点|晚些|过两天|改天|下午再|晚上再|回头)(?!前|之前|以前)")


def defers(folded: str) -> bool:
    """The person will do something first and come back ("let me ask my boss first", 我先看看)."""
    return _DEFER.search(folded) is not None


def _restates(plan: Plan, pending_tool: str | None, target: str | None) -> bool:
    """The plan is the waiting action itself, on its own ticket, asked for in so many words."""
    if plan.route != "ticket_op" or plan.tool != pending_tool or set(plan.missing_fields) - _PAYLOAD:
        return False  # "yes change it", "send the comment": the waiting action holds its payload
    return plan.args.get("ticket_id") in (None, target)


_NOUNS = {name: compile_terms(words) for name, words in vocab()["confirmation"]["action_nouns"].items()}
_TICKET_NOUN = compile_terms(terms("ticket_nouns"))
_NOT_YET = re.compile(r"(?:没有?|未|还没有?|还未|尚未)\s*(?:被|给)?\s*$")
_RESOLVER = next(n for n, t in TICKET_TOOLS.items() if t.target_status is TicketStatus.RESOLVED)
_STATE_WORDS = frozenset(fold(w) for w in [*terms("confirmation", "fixed"), *terms("tools", _RESOLVER, "weak")])
_PAYLOAD = frozenset({"changes", "comment"})


def _other_task(plan: Plan) -> bool:
    """A new ticket or the draft, asked for in its own words ("不是这个，帮我继续填草稿")."""
    return plan.route in ("create_ticket", "resume_draft") and plan.rationale.startswith(("kw:", "ref:"))


def _asks_another_op(plan: Plan, pending_tool: str | None, text: str, folded: str) -> bool:
    """A no to the waiting action and another operation asked for: in its own words by the rules,
    or read by the model with that operation's words in the message ("别标了，直接关掉"; "不要，已经好了"
    names no other operation, though "fixed" is no answer to a waiting reopen)."""
    if _other_ticket_op(plan, pending_tool):
        return True
    return plan.route == "ticket_op" and plan.tool in _TOOL_WORDS and plan.tool != pending_tool \
        and names_another_action(text, pending_tool) and _TOOL_WORDS[plan.tool].search(folded) is not None


def _other_ticket_op(plan: Plan, pending_tool: str | None) -> bool:
    """A ticket operation other than the waiting one, asked for in its own words (a state such
    as "it fixed itself" asks for nothing)."""
    return (plan.route == "ticket_op" and plan.tool not in (None, pending_tool)
            and plan.rationale.startswith("kw:") and _keyword(plan) not in _STATE_WORDS)


SMALL_TALK = frozenset({Talk.GREETING, Talk.THANKS, Talk.BYE})


def nothing_to_confirm(text: str, plan: Plan) -> bool:
    """With nothing waiting, a lone yes ("确认", "ok") is answered "nothing to confirm".

    A yes-word inside a request or a thank-you ("好的，帮我关了吧", "ok thanks") is planned.
    """
    words = answer_words(text)
    if classify_confirmation(text) != "confirm" or words is None:
        return False
    if any(kind not in ("confirm", "filler") for kind in words.values()):
        return False  # it names an action too: "可以结单了，谢谢"
    return plan.args.get("talk") not in SMALL_TALK


def is_clear_request(plan: Plan) -> bool:
    """A plan that asks for something (not small talk, not a clarifying question)."""
    return plan.route != "chitchat" or plan.args.get("talk") == Talk.OUT_OF_SCOPE


def ambiguous_cancel(text: str, pending_tool: str | None) -> bool:
    """"取消" / "please cancel" (a word of both the protocol and the tool) while a cancel waits."""
    tool = TICKET_TOOLS.get(pending_tool or "")
    if tool is None or tool.target_status is not TicketStatus.CANCELLED:
        return False
    both = _AMBIGUOUS.get(tool.name, frozenset())
    words = answer_words(text)
    return words is not None and any(w in both for w in words) and all(
        w in both or kind == "filler" for w, kind in words.items())


_AMBIGUOUS = {name: frozenset(fold(w) for w in tool_terms(name)) & frozenset(
    fold(w) for w in terms("confirmation", "cancel")) for name in TICKET_TOOLS}
