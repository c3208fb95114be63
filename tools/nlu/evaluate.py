"""How the rules planner reads one corpus example, as a corpus label (tests and bench share it).

An example's label is its intent for a new request, else its act ("confirm", "decline",
"other"). The planner's label comes from the same decisions the graph makes: with an action
waiting, tools/planner/answers.py; otherwise the rules plan (a lone yes-word with nothing
waiting is answered "nothing to confirm": a no-op, read as "unclear").
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.nlu.corpus import Act, Example
from tools.planner.answers import SMALL_TALK, Answer, is_aside, nothing_to_confirm, read_answer
from tools.planner.opinion import OP_TOOLS, TALK_OF
from tools.planner.plan import Plan, PlanContext
from tools.planner.rules import plan_rules

MEMORY_TICKET = "TCK-2026-MEM001"
DRAFT = "DRF-2026-DRAFT1"
_LABEL_OF_TOOL = {tool: label for label, tool in OP_TOOLS.items()}
_LABEL_OF_TALK = {talk.value: label for label, talk in TALK_OF.items()}
_ACT_OF_ANSWER = {Answer.CONFIRM: Act.CONFIRM, Answer.DECLINE: Act.DECLINE,
                  Answer.UNCLEAR: Act.OTHER}
TASKS = frozenset({"kb_qa", "create_ticket", "resume_draft", *OP_TOOLS})
DANGEROUS = frozenset({"ticket_op.escalate", "ticket_op.cancel", "ticket_op.close"})


@dataclass(frozen=True)
class Reading:
    """The planner's label for an example, and the plan behind it (None for an answer)."""

    label: str
    plan: Plan | None


def gold(example: Example) -> str:
    """The example's own label: its intent for a new request, else its act."""
    return example.intent if example.act is Act.NEW_REQUEST else example.act.value


def context(example: Example) -> PlanContext:
    """The planner context an example's `ctx` stands for."""
    if example.ctx == "draft":
        return PlanContext(draft_id=DRAFT, draft_source="memory",
                           draft_fields={"title": "电脑有问题", "description": "电脑有问题"})
    if example.ctx == "mem" or example.pending_tool:
        return PlanContext(ticket_id=MEMORY_TICKET, ticket_source="memory")
    return PlanContext()


def read(example: Example) -> Reading:
    """What the planner makes of `example` in its context."""
    plan = plan_rules(example.text, context(example))
    if example.pending_tool:
        answer = read_answer(example.text, example.pending_tool, plan, MEMORY_TICKET)
        if answer is Answer.UNCLEAR and (plan.args.get("talk") in SMALL_TALK or is_aside(example.text, plan)):
            return Reading(label_of(plan), plan)  # "thanks", "btw, weather?": said back, the action still waits
        if answer is not Answer.NEW_REQUEST:
            return Reading(_ACT_OF_ANSWER[answer].value, None)
    elif nothing_to_confirm(example.text, plan):
        return Reading("unclear", None)
    return Reading(label_of(plan), plan)


def label_of(plan: Plan) -> str:
    """The corpus intent a plan carries out."""
    if plan.route == "ticket_op":
        return _LABEL_OF_TOOL.get(plan.tool or "", "unclear")
    if plan.route == "chitchat":
        return _LABEL_OF_TALK.get(str(plan.args.get("talk")), "unclear")
    return plan.route
