"""The planner on the TRAINING part, per intent and act, and the dialogue policy's rules.

The held-out part is never read here (bench/nlu_eval.py measures it).
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tools.nlu.corpus import Act, Example, Part, examples
from tools.nlu.evaluate import MEMORY_TICKET, gold, read
from tools.planner.answers import Answer, read_answer
from tools.planner.plan import PlanContext, Talk
from tools.planner.rules import plan_rules

MEM = PlanContext(ticket_id=MEMORY_TICKET, ticket_source="memory")


def _by_label() -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = defaultdict(list)
    for e in examples(Part.TRAIN):
        out[gold(e)].append(e)
    return out


TRAIN_BY_LABEL = _by_label()


@pytest.mark.parametrize("label", sorted(TRAIN_BY_LABEL))
def test_training_part_per_intent_and_act(label: str) -> None:
    rows = TRAIN_BY_LABEL[label]
    misses = [(e.ctx, e.text, read(e).label) for e in rows if read(e).label != label]
    assert len(misses) <= 0.1 * len(rows), misses


def test_no_training_utterance_confirms_what_it_did_not_mean() -> None:
    wrong = [(e.ctx, e.text) for e in examples(Part.TRAIN)
             if read(e).label == Act.CONFIRM and e.act is not Act.CONFIRM]
    assert wrong == []


# (context, text, label): look-alikes read differently; each pair side by side.
LOOK_ALIKES = [
    ("pending:cancel_ticket", "算了，不取消了", "decline"),
    ("pending:cancel_ticket", "算了", "decline"),
    ("none", "算了，把那个单取消吧", "ticket_op.cancel"),
    ("none", "确认一下我的工单状态", "ticket_op.get"),
    ("pending:escalate_ticket", "确认", "confirm"),
    ("pending:escalate_ticket", "no, go ahead", "confirm"),
    ("pending:escalate_ticket", "no", "decline"),
    ("pending:cancel_ticket", "no, keep it", "decline"),
    ("pending:cancel_ticket", "保留", "decline"),
    ("pending:cancel_ticket", "确认取消", "confirm"),
    ("pending:cancel_ticket", "取消", "other"),  # 取消 while a cancel waits: asked again
    ("pending:escalate_ticket", "取消", "decline"),
    ("pending:escalate_ticket", "yeah go for it", "confirm"),
    ("pending:escalate_ticket", "what happens if I escalate?", "other"),
    ("pending:escalate_ticket", "ok, now show me my tickets", "ticket_op.list"),
    ("pending:close_ticket", "谢谢", "chitchat.thanks"),
    ("none", "谢谢！", "chitchat.thanks"),
    ("none", "thx, that's all", "chitchat.bye"),
    ("none", "what's the weather tomorrow?", "out_of_scope"),
    ("none", "VPN怎么连接", "kb_qa"),
    ("none", "开个ticket", "create_ticket"),
    ("none", "ticket please", "create_ticket"),
    ("none", "能帮我建个单子吗", "create_ticket"),
    ("none", "帮我查下我所有的单", "ticket_op.list"),
    ("mem", "问题解决了，关掉这个单吧", "ticket_op.close"),
    ("mem", "make it high priority pls", "ticket_op.update"),
    ("draft", "就这样提交吧", "resume_draft"),
    ("none", "cancel my last ticket", "ticket_op.cancel"),
]


@pytest.mark.parametrize(("ctx", "text", "label"), LOOK_ALIKES)
def test_look_alikes(ctx: str, text: str, label: str) -> None:
    act = Act.NEW_REQUEST if "." in label or label in ("kb_qa", "create_ticket", "resume_draft",
                                                        "out_of_scope") else Act(label)
    example = Example(text, "none", act, ctx)
    assert read(example).label == label


@pytest.mark.parametrize("text", ["hmm", "let me think", "what does that mean?", "which ticket?",
                                  "嗯……", "我想一下", "不确定", "升级会怎么样"])
def test_an_unclear_reply_keeps_the_action_waiting(text: str) -> None:
    plan = plan_rules(text, MEM)
    assert read_answer(text, "escalate_ticket", plan, MEMORY_TICKET) is Answer.UNCLEAR


@pytest.mark.parametrize("text", ["show my tickets", "顺便问一下，VPN怎么连", "另外帮我开个单，鼠标坏了",
                                  "don't escalate, just close it", "先查一下TCK-2026-AB12CD的进度"])
def test_a_clear_new_request_supersedes_it(text: str) -> None:
    assert read_answer(text, "escalate_ticket", plan_rules(text, MEM), MEMORY_TICKET) is Answer.NEW_REQUEST


@pytest.mark.parametrize(("text", "expected"), [
    ("取消", Answer.UNCLEAR), ("cancel", Answer.UNCLEAR), ("please cancel", Answer.UNCLEAR),
    ("保留", Answer.DECLINE), ("keep it", Answer.DECLINE), ("no, keep it", Answer.DECLINE),
    ("确认", Answer.CONFIRM), ("yes, cancel it", Answer.CONFIRM), ("对，取消吧", Answer.CONFIRM),
])
def test_what_cancel_means_while_a_cancel_waits(text: str, expected: Answer) -> None:
    assert read_answer(text, "cancel_ticket", plan_rules(text, MEM), MEMORY_TICKET) is expected


@pytest.mark.parametrize("text", ["先别关", "不关了", "why close it?", "close it tomorrow?", "别关，还没好"])
def test_a_negated_or_asked_restatement_never_confirms(text: str) -> None:
    assert read_answer(text, "close_ticket", plan_rules(text, MEM), MEMORY_TICKET) is not Answer.CONFIRM


@pytest.mark.parametrize(("text", "talk"), [
    ("hi", Talk.GREETING), ("谢谢！", Talk.THANKS), ("bye", Talk.BYE), ("好的 bye", Talk.BYE),
    ("what's the weather tomorrow?", Talk.OUT_OF_SCOPE), ("帮我订一张去上海的机票", Talk.OUT_OF_SCOPE),
    ("有个问题", Talk.CLARIFY), ("help", Talk.CLARIFY), ("算了，不取消了", Talk.NOTHING),
])
def test_small_talk_out_of_scope_and_unclear_get_their_own_reply(text: str, talk: Talk) -> None:
    plan = plan_rules(text, PlanContext())
    assert (plan.route, plan.args.get("talk")) == ("chitchat", talk)
    if talk is Talk.CLARIFY:
        assert len(plan.args["options"]) == 2


@pytest.mark.parametrize(("text", "fields"), [
    ("pls make a ticket, Adobe Acrobat crashes whenever I open a PDF",
     {"title": "Adobe Acrobat crashes whenever I open a PDF", "category": "software", "priority": None}),
    ("URGENT!!! whole sales team can't send emails, open a P1 ticket now",
     {"title": "whole sales team can't send emails", "category": "email", "priority": "P1"}),
    ("please open a ticket whenever you get a chance, my mouse is a bit laggy",
     {"title": "my mouse is a bit laggy", "priority": "P4"}),
    ("好的，帮我提一个吧", {"title": None, "description": None}),
    ("能帮我建个单子吗", {"title": None}),
])
def test_a_draft_from_one_sentence(text: str, fields: dict[str, str | None]) -> None:
    plan = plan_rules(text, PlanContext())
    assert plan.route == "create_ticket"
    assert {k: plan.args.get(k) for k in fields} == fields
