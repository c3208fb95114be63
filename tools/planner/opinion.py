"""The trained intent model's say in a rules plan: it decides when the lexicon is unsure.

The lexicon plans what it recognises (ids, references, slots, tool and request words). When no
rule recognises a message, the model's most likely intent is planned if its calibrated
confidence is high enough, and a clarifying question offering the likely options otherwise.
The model never proposes a tool from the bare protocol word 取消 / "cancel" alone
message (every one still waits for the person's own yes), and it overrules a rule only where the
rule is known to guess (a how-to word, a bare symptom).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.nlu.model import TICKET, Prediction, intent_model, marks_of
from tools.planner.analysis import Analysis, Keyword
from tools.planner.answers import defers, sounds_unsure
from tools.planner.confirm import answer_words
from tools.planner.domain import (
    about_facilities,
    about_it,
    composing,
    just_a_noun,
    just_a_verb,
    little_else,
    names_a_problem,
    only_question_words,
    other_words,
    plainly_it,
    word_counts,
)
from tools.planner.fields import priority_word, symptom_follows
from tools.planner.lexicon import alternation, compile_terms
from tools.planner.plan import Plan, PlanContext, Talk
from tools.planner.ticket_ops import is_protocol_cancel, plan_tool
from tools.planner.vocab import terms, vocab
from tools.registry import TICKET_TOOLS

ACCEPT = 0.5  # the confidence at which the model's intent is planned instead of asked about
MARGIN = 0.1  # two tasks this close in probability: ask which one, never guess (chosen by --folds 5)
OVERRULE_READ = 0.6  # the confidence at which the model picks another ticket operation than a read word guessed
OVERRULE = 0.5  # the confidence at which the model overrules a guessing rule (--folds 5: 0.4-0.7 within 0.1%)
UNCLEAR_OUT_OF_SCOPE = 0.25  # an "unclear" reading this likely out of scope, about nothing IT, is (--folds 5)
SURE_OUT_OF_SCOPE = 0.9  # this sure, only a ticket, a tool, a symptom or a category keeps it IT
OUT_OF_SCOPE_FLOOR = 0.1  # a task guess about nothing IT is refused once out of scope is this likely
SURE_TASK = 0.7  # ... unless the task is this likely (--batches: 0.6-0.8 within 0.05%)
OP_TOOLS: dict[str, str] = {  # corpus label → ticket tool, from vocab.yaml
    f"ticket_op.{entry['intent']}": name for name, entry in vocab()["tools"].items()
}
TALK_OF: dict[str, Talk] = {
    "chitchat.greeting": Talk.GREETING, "chitchat.thanks": Talk.THANKS,
    "chitchat.bye": Talk.BYE, "out_of_scope": Talk.OUT_OF_SCOPE,
}
TASKS: tuple[str, ...] = ("create_ticket", "kb_qa", "resume_draft", *OP_TOOLS)
DEFAULT_OPTIONS = ("create_ticket", "ticket_op.get")
OPTION_FLOOR = 0.1  # a likely option is offered only from this probability on
Builder = Callable[[str, Analysis, PlanContext], Plan | None]


def talk(kind: Talk, why: str, options: tuple[str, ...] = ()) -> Plan:
    """A chitchat plan with its reply kind (and, to clarify, the options to offer)."""
    args: dict[str, object] = {"talk": kind.value}
    if options:
        args["options"] = list(options)
    return Plan(route="chitchat", args=args, rationale=why, source="rules")


def model_plan(a: Analysis, ctx: PlanContext, build: Builder) -> Plan:
    """The plan for a message no rule recognised: the model's intent, or a question."""
    marks = marks_of(ctx)
    pred = intent_model().predict(a.text, marks)
    why = f"model:{pred.label}@{pred.confidence:.2f}"
    words = answer_words(a.text)
    if words is not None and set(words.values()) <= _ANSWER_ONLY and not a.chitchat:
        return talk(Talk.CLARIFY, f"{why}; only an answer", options(pred, ctx))  # "ok", "行" with nothing waiting
    # with a ticket in the thread, a reading of work on it is about IT ("who's got it", "啥时候能好")
    it = about_it(a) or (TICKET in marks and pred.label in OP_TOOLS)
    if about_facilities(a) and pred.label not in TALK_OF:
        return talk(Talk.OUT_OF_SCOPE, f"{why}; the building, not IT")  # "the lift is stuck on floor 4"
    if not it and only_question_words(a) and (pred.label not in TALK_OF or pred.label == "out_of_scope"):
        return talk(Talk.CLARIFY, f"{why}; nothing said", DEFAULT_OPTIONS)  # "还是老样子", "same again"
    if not (pred.label in TASKS and pred.confidence >= SURE_TASK) and not it and greets_and_introduces(a):
        return talk(Talk.GREETING, f"{why}; a greeting and who or where they are")  # "hi, it's Mei from finance"
    if pred.label in TASKS and not it and pred.prob("out_of_scope") >= OUT_OF_SCOPE_FLOOR \
            and pred.confidence < SURE_TASK:
        return talk(Talk.OUT_OF_SCOPE, f"{why}; not about IT")  # "recommend a book"
    if pred.label == "unclear" and not it and not only_question_words(a) \
            and pred.prob("out_of_scope") >= UNCLEAR_OUT_OF_SCOPE:
        return talk(Talk.OUT_OF_SCOPE, f"{why}; likely not about IT")  # "sing me something"
    if pred.label in ("out_of_scope", "unclear") and greets_and_asks_little(a):
        return talk(Talk.GREETING, f"{why}; a greeting and a pleasantry")  # "午安，吃过饭了吗"
    if pred.label == "unclear" and pred.confidence < SURE_TASK and not it and _HELLO_FIRST.match(a.folded) \
            and not names_a_problem(a) and priority_word(a.text) is None \
            and _QUESTION_MARK.search(a.folded) is None and not composing(a):  # "在吗 有急事" wants help
        return talk(Talk.GREETING, f"{why}; a greeting and some chatter")  # "hello! working the late shift tonight"
    if pred.label == "out_of_scope":
        if it and (pred.confidence < SURE_OUT_OF_SCOPE or plainly_it(a)):
            return talk(Talk.CLARIFY, f"{why}; but about IT", options(pred, ctx))  # "帮我一下"
        return talk(Talk.OUT_OF_SCOPE, f"{why}; not about IT")  # "will it rain today"
    if a.chitchat and not it and pred.label not in TASKS \
            and not (pred.label == "unclear" and pred.confidence >= SURE_TASK):  # "在吗 有急事": help wanted
        return talk(small_talk_kind(a, ctx), f"{why}; small talk")  # "hey, you there?", "没了，谢谢，拜"
    if pred.confidence >= ACCEPT:
        if pred.label == "chitchat.greeting" and names_a_problem(a):  # "您好，我这边遇到了一点问题"
            return talk(Talk.CLARIFY, f"{why}; a greeting before a problem", options(pred, ctx))
        if pred.label in TALK_OF:
            return _small_talk(TALK_OF[pred.label], a, why, options(pred, ctx))
        close = len(pred.ranked) > 1 and pred.ranked[1][0] in TASKS and \
            pred.confidence - pred.ranked[1][1] < MARGIN
        if pred.label in TASKS and not close and (plan := _task(pred.label, a, ctx, build, why)) is not None:
            return plan
    return talk(Talk.CLARIFY, f"{why}→clarify", options(pred, ctx))


def review(plan: Plan, a: Analysis, ctx: PlanContext, build: Builder) -> Plan:
    """A rules plan, or the model's reading where the rule that made it only guessed.

    A how-to word ("what", "吗") or a symptom word alone is a guess: a confident model reading
    of something else (a new ticket, a ticket operation, small talk, out of scope) wins.
    """
    if plan.route == "chitchat" and plan.rationale == "greeting":
        return talk(small_talk_kind(a, ctx), "greeting")
    if _read_by_a_word(plan, a):
        other_ops = frozenset(OP_TOOLS) - {label for label, tool in OP_TOOLS.items() if tool == plan.tool}
        # "看看我所有的 ticket" lists them; "我的工单可以关了" closes it
        return _model_task(plan, a, ctx, build, other_ops, OVERRULE_READ) or plan
    if plan.rationale.startswith("asked:"):  # "how do I close a ticket", unless about nothing IT
        return plan if about_it(a) else _not_about_it(plan, a, ctx, build)
    if not plan.rationale.startswith(("kb:question", "symptom:")):
        return plan
    if plan.rationale.startswith("symptom:") and just_a_noun(a):
        return talk(Talk.CLARIFY, f"{plan.rationale}; only a noun", ("kb_qa", "create_ticket"))  # "打印机"
    if plan.rationale.startswith("symptom:") and just_a_verb(a):
        return talk(Talk.CLARIFY, f"{plan.rationale}; only a verb", ("kb_qa", "create_ticket"))  # "打不开"
    if plan.rationale.startswith("kb:question") and not about_it(a):
        return _not_about_it(plan, a, ctx, build)
    pred = intent_model().predict(a.text, marks_of(ctx))
    if pred.confidence < OVERRULE or pred.label == "kb_qa":
        return plan
    why = f"{plan.rationale}; model:{pred.label}@{pred.confidence:.2f}"
    if pred.label == "out_of_scope" and composing(a):
        return talk(Talk.OUT_OF_SCOPE, f"{why}; writing, not IT")  # "帮我写个 PPT 大纲讲市场分析"
    if pred.label == "out_of_scope" and about_it(a):
        return plan  # an IT question is never refused: "which browser should I use for SAP"
    # small talk, unless a greeting before a symptom: "你好，VPN连不上" is the VPN, after a hello
    if pred.label in TALK_OF and not (pred.label == "chitchat.greeting" and plan.rationale.startswith("symptom:")):
        return _small_talk(TALK_OF[pred.label], a, why, options(pred, ctx))
    if pred.label == "unclear":
        return talk(Talk.CLARIFY, why, ("kb_qa", "create_ticket"))
    tool = TICKET_TOOLS.get(OP_TOOLS.get(pred.label, ""))
    if tool is not None and not tool.reads_only and plan.rationale.startswith("symptom:") \
            and pred.confidence < SURE_TASK:
        return plan  # "电脑重开机了还是不行": a symptom told, no ticket changed on a guess
    if tool is not None and tool.needs_confirmation and any(
            k.target == tool.name and symptom_follows(a.text, k.hit.end) for k in a.used("weak")):
        return plan  # a verb with other senses, on something else: "升级Office", "关闭防火墙"
    return _task(pred.label, a, ctx, build, why) or plan


def greets_and_introduces(a: Analysis) -> bool:
    """A greeting, then who or where the person is and nothing asked ("hi, it's Mei from the
    Changsha finance team", "hello, greetings from Changsha", "morning, on the train into Leeds",
    "hi from the Cork office, we've cake today"): a greeting, not a question to refuse."""
    hello = _HELLO_FIRST.match(a.folded)
    if hello is None or _QUESTION_MARK.search(a.folded) or about_it(a) or names_a_problem(a) or composing(a):
        return False
    rest = a.folded[hello.end():]
    latin, chinese = other_words(rest)
    return _SELF_INTRO.search(rest) is not None and _ASKING_FOR.search(a.folded) is None \
        and latin <= 10 and chinese <= 16


def _small_talk(kind: Talk, a: Analysis, why: str, choices: tuple[str, ...]) -> Plan:
    """The model's small-talk reading, unless the message only puts something off with no word of
    small talk in it ("我先看看再说", "hold on, let me reboot first", "等会儿，我在开会"): the person
    will come back, so they are asked what about (and a waiting action keeps waiting)."""
    if not a.chitchat and (defers(a.folded) or sounds_unsure(a.folded)):
        return talk(Talk.CLARIFY, f"{why}; will come back", choices)
    return talk(kind, why)


def greets_and_asks_little(a: Analysis) -> bool:
    """A greeting with a short yes/no question about nothing IT ("午安，吃过饭了吗", "晚上好，还有人值班吗",
    "hi, anyone on the desk today?"), or a how-are-you with little else ("hullo there, how are ye",
    "hey, how's it going over in IT land", "你最近忙不忙呀"): a greeting, not a question to refuse."""
    if about_it(a):
        return False
    hello = _HELLO_FIRST.match(a.folded)
    if (asked := _PLEASANTRY.search(a.folded)) and not (_THANKS.search(a.folded) or _BYE.search(a.folded)):
        latin, chinese = other_words(a.folded[:asked.start()] + " " + a.folded[asked.end():])
        most = (4, 6) if hello else (1, 1)  # "股市最近怎么样" asks about the market
        if latin <= most[0] and chinese <= most[1] and not composing(a):
            return True
    if hello is None:
        return False
    rest = a.folded[hello.end():].strip()
    latin, chinese = word_counts(rest)
    return latin <= 8 and chinese <= 14 and _YES_NO_END.search(rest) is not None and _WH.search(rest) is None \
        and not composing(a)  # "hi, can you write me a poem?" asks for something


def _not_about_it(plan: Plan, a: Analysis, ctx: PlanContext, build: Builder) -> Plan:
    """A how-to question about nothing IT: the model's confident task, small talk, a question
    back when nothing is asked, else a polite out-of-scope reply."""
    if task := _model_task(plan, a, ctx, build, frozenset(TASKS) - {"kb_qa"}, OVERRULE):
        return task  # "where are we on this?" about the remembered ticket, "my tix?"
    if a.chitchat and little_else(a):
        return talk(small_talk_kind(a, ctx), f"{plan.rationale}; small talk")  # "hi, anybody here?"
    if greets_and_asks_little(a):
        return talk(Talk.GREETING, f"{plan.rationale}; a greeting and a pleasantry")
    if only_question_words(a):
        return talk(Talk.CLARIFY, f"{plan.rationale}; nothing asked", DEFAULT_OPTIONS)
    return talk(Talk.OUT_OF_SCOPE, f"{plan.rationale}; not about IT")


def _model_task(plan: Plan, a: Analysis, ctx: PlanContext, build: Builder, labels: frozenset[str],
                threshold: float) -> Plan | None:
    """The model's task instead of a guessing rule's plan, when it is one of `labels` and at
    least `threshold` likely (and may be planned from the text at all)."""
    pred = intent_model().predict(a.text, marks_of(ctx))
    if pred.label not in labels or pred.confidence < threshold:
        return None
    return _task(pred.label, a, ctx, build, f"{plan.rationale}; model:{pred.label}@{pred.confidence:.2f}")


def _read_by_a_word(plan: Plan, a: Analysis) -> bool:
    """A read of one ticket or of the list chosen from a word alone, no ticket id in the message:
    "看看" / "show" or "my tickets" only guess which read (or which change) is meant."""
    tool = TICKET_TOOLS.get(plan.tool or "")
    return (plan.route == "ticket_op" and tool is not None and tool.reads_only
            and plan.rationale.startswith("kw:") and not a.refs.ticket_ids)


def talk_of_model(plan: Plan, rules: Plan, text: str, ctx: PlanContext) -> Plan:
    """A chat model's chitchat plan with the reply kind the rules path would give (LLM/hybrid).

    The model only says "chitchat"; the rules planner's reading of the same message tells a
    thanks, a bye, a greeting, an out-of-scope question or an unclear one apart. Where the rules
    read a task instead, the person is asked, offering the likeliest tasks, never the generic
    greeting. Any other plan, or one that already names a valid kind, is returned unchanged.
    """
    if plan.route != "chitchat" or str(plan.args.get("talk")) in set(Talk):
        return plan
    if rules.route == "chitchat" and rules.args.get("talk"):
        args = {k: rules.args[k] for k in ("talk", "options") if k in rules.args}
    else:
        args = {"talk": Talk.CLARIFY.value, "options": list(options(intent_model().predict(text, marks_of(ctx)), ctx))}
    return plan.model_copy(update={"args": {**plan.args, **args}})


def options(pred: Prediction, ctx: PlanContext) -> tuple[str, ...]:
    """The two likeliest tasks to offer (a draft is offered only when one is active)."""
    tasks = [(label, p) for label, p in pred.ranked
             if label in TASKS and (label != "resume_draft" or ctx.draft_id)]
    if pred.label == "unclear" or len(tasks) < 2 or tasks[1][1] < OPTION_FLOOR:
        return DEFAULT_OPTIONS  # nothing to go on: a new ticket, or one of theirs
    return tasks[0][0], tasks[1][0]


def _task(label: str, a: Analysis, ctx: PlanContext, build: Builder, why: str) -> Plan | None:
    """The plan of a task the model chose, or None when it may not be planned from text alone."""
    if label not in OP_TOOLS:
        return build(label, a, ctx)
    tool = TICKET_TOOLS[OP_TOOLS[label]]
    keyword = _evidence(a, tool.name)
    if tool.reads_only and tool.needs_ticket and keyword is None and not a.anchored and not ctx.ticket_id:
        return None  # no word of showing and no ticket in sight: "帮我看看", "那个东西" is asked about
    if keyword is None and any(k.target == tool.name for k in a.keywords):
        return None  # its word is there but negated or asked about: "为什么不能关闭工单"
    if tool.needs_confirmation and keyword is not None and a.bare and is_protocol_cancel(keyword.hit.term):
        return None  # bare "取消" / "cancel" is the confirmation protocol's word, never a request
    if tool.needs_confirmation and keyword is None and a.kb_question:
        return None  # a question with no word of the action proposes none: "was it cancelled?"
    return plan_tool(tool, a, ctx, keyword, f"{why}→{tool.name}")


def _evidence(a: Analysis, tool: str) -> Keyword | None:
    """A keyword of `tool` used plainly (not negated, not asked about) in the message."""
    return next((k for k in a.keywords
                 if k.target == tool and k.kind in ("strong", "weak") and k.use == "plain"), None)



def says_bye(a: Analysis) -> bool:
    """A goodbye word is in the message ("我先走了，草稿明天再弄")."""
    return _BYE.search(a.folded) is not None


def small_talk_kind(a: Analysis, ctx: PlanContext) -> Talk:
    """Greeting, thanks or bye: a bye word, else a thanks word, else the likeliest of the three."""
    if _BYE.search(a.folded):
        return Talk.BYE
    if _THANKS.search(a.folded):
        return Talk.THANKS
    if _HELLO.search(a.folded):
        return Talk.GREETING
    pred = intent_model().predict(a.text, marks_of(ctx))
    return TALK_OF[max(("chitchat.greeting", "chitchat.thanks", "chitchat.bye"), key=pred.prob)]


_HELLO_FIRST = re.compile(rf"^\W*(?:{alternation(terms('intents', 'small_talk', 'greeting'))})[\s,，!！~。.、]*")
_QUESTION_MARK = re.compile(r"[?？]")
_SELF_INTRO = re.compile(
    r"\b(?:it'?s|this is|i'?m|i am|we'?re|greetings)\b|\bfrom\b|\bhere\b|checking in|reporting in"
    r"|\bon the (?:train|bus|tram|way|road)\b|\bworking (?:the|late|from|a)\b|\bback (?:from|at|in|on)\b"
    r"|\bjust (?:got|arrived|logged|landed|started)\b|我是|这边|报到|刚到|我在|刚上班|刚来|新来的")
_ASKING_FOR = re.compile(
    r"\b(?:can|could|would|will) (?:you|u|someone|anyone)\b|\b(?:please|pls|plz|need|want|help|"
    r"recommend|book|order|find|tell me|looking for|remind me)\b|帮|麻烦|能不能|可以|想要|需要|请|求")
_YES_NO_END = re.compile(r"(?:吗|嗎|么|麼|没|冇|\?|？)\W*$")
_WH = re.compile(r"什么|啥|怎么|怎样|如何|为什么|哪|几|多少|\b(?:what|how|why|where|which|when|who)\b")
_ANSWER_ONLY = frozenset({"confirm", "cancel", "filler", "unsure"})
_BYE = compile_terms(terms("intents", "small_talk", "bye"))
_THANKS = compile_terms(terms("intents", "small_talk", "thanks"))
_HELLO = compile_terms(terms("intents", "small_talk", "greeting"))
_PLEASANTRY = compile_terms(terms("intents", "small_talk", "pleasantry"))
