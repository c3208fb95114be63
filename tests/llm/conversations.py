"""A fixed multi-turn conversation set, and the replies a competent model gives on each turn.

Used by bench/llm_cost.py: the fake server answers our planner, sub-planner and answer calls
(and the flat baseline's calls) from these scripts, so both systems get the same decisions and
the same reply text, and only their prompts differ.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tests.llm import script as s

Args = dict[str, Any]
_DOC = re.compile(r"^\[([A-Za-z0-9_.-]+)\]", re.M)


@dataclass(frozen=True)
class Turn:
    """One user turn, what the model decides on it, and whether hybrid must skip the model."""

    name: str
    text: str  # may hold {ticket_id}
    plan: Args | None = None  # the global plan (None: the graph asks no planner)
    tool: tuple[str, Args] | None = None  # the ticket tool call (ours and the flat agent's)
    flat_tool: tuple[str, Args] | None = None  # the flat agent's call when not a ticket tool
    answer: str | None = None  # the grounded answer, "{doc}" = first passage id
    fast: bool = False  # confirm / cancel / explicit-id lookup

    def remember(self, result: Any) -> dict[str, Any]:
        """What later turns of the conversation refer to."""
        memo: dict[str, Any] = {"thread_id": result.thread_id}
        if result.memory.ticket_id:
            memo["ticket_id"] = result.memory.ticket_id
        return memo

    def flat_call(self) -> tuple[str, Args] | None:
        """The tool the flat agent calls first (None: it answers directly)."""
        return self.tool or self.flat_tool


def _plan(route: str, **args: Any) -> Args:
    return {"route": route, "tool": None, "args": args, "missing_fields": [],
            "need_confirmation": False, "rationale": "bench"}


T = "{ticket_id}"
CONVERSATIONS: list[list[Turn]] = [
    [
        Turn("zh/create_ticket", "我的VPN连不上了，提示认证失败，帮我提个工单",
             _plan("create_ticket", title="VPN 连不上", category="network", priority="P2",
                   description="VPN 提示认证失败，无法连接公司网络"),
             flat_tool=("create_ticket", {"title": "VPN 连不上", "category": "network",
                                          "description": "VPN 提示认证失败，无法连接公司网络",
                                          "priority": "P2"})),
        Turn("zh/status(ref)", "上一单现在什么状态？", _plan("ticket_op"),
             ("get_ticket", {"ticket_id": T})),
        Turn("zh/comment", "给它加个备注：我在家办公，用的是家里的网络", _plan("ticket_op"),
             ("add_comment", {"ticket_id": T, "comment": "我在家办公，用的是家里的网络"})),
        Turn("zh/escalate", "这个工单太慢了，帮我升级一下", _plan("ticket_op"),
             ("escalate_ticket", {"ticket_id": T, "reason": "处理太慢"})),
        Turn("zh/confirm", "确认", flat_tool=("confirm_pending_action", {}), fast=True),
    ],
    [
        Turn("en/kb", "How do I reset my password?", _plan("kb_qa", query="reset password"),
             flat_tool=("kb_search", {"query": "reset password"}),
             answer="Use the self-service portal: choose Forgot password, verify with MFA, "
                    "then set a new password [{doc}]."),
        Turn("en/create(draft)", "I need to open a ticket about the office printer",
             _plan("create_ticket", title="Office printer problem"),
             flat_tool=("create_ticket", {"title": "Office printer problem"})),
        Turn("en/resume_draft", "It jams on every page on floor 3, it's a hardware problem",
             _plan("resume_draft", description="The floor 3 printer jams on every page",
                   category="hardware"),
             flat_tool=("update_draft", {"description": "The floor 3 printer jams on every "
                                         "page", "category": "hardware"})),
        Turn("en/lookup(explicit id)", "show me " + T, _plan("ticket_op"),
             ("get_ticket", {"ticket_id": T}), fast=True),
        Turn("en/cancel_ticket", "Please cancel that ticket, the printer works again",
             _plan("ticket_op"), ("cancel_ticket", {"ticket_id": T, "reason": "works again"})),
        Turn("en/abort", "cancel", flat_tool=("cancel_pending_action", {}),
             fast=True),
    ],
    [
        Turn("zh/chitchat", "你好", _plan("chitchat")),
        Turn("zh/kb", "打印机卡纸怎么办？", _plan("kb_qa", query="打印机卡纸"),
             flat_tool=("kb_search", {"query": "打印机卡纸"}),
             answer="先关闭打印机，按面板指示取出卡住的纸张，再检查纸盒是否放平 [{doc}]。"),
        Turn("zh/list", "列出我的工单", _plan("ticket_op"), ("list_my_tickets", {})),
    ],
]


def filled(args: Args, memo: dict[str, Any]) -> Args:
    """Args with {ticket_id} replaced by the conversation's ticket."""
    return {k: v.format(**memo) if isinstance(v, str) else v for k, v in args.items()}


def graph_reply(body: Args, turn: Turn, memo: dict[str, Any]) -> s.Step:
    """What the model answers to one of our calls: planner, sub-planner or grounded answer."""
    if "response_format" in body:
        plan = dict(turn.plan or _plan("chitchat"))
        return s.plan({**plan, "args": filled(plan["args"], memo)})
    if "tools" in body and turn.tool:
        return s.tool_call(turn.tool[0], filled(turn.tool[1], memo))
    docs = _DOC.findall(body["messages"][0]["content"])
    return s.content((turn.answer or "").format(doc=docs[0] if docs else "kb"))


def flat_reply(body: Args, turn: Turn, memo: dict[str, Any], reply: str) -> s.Step:
    """The flat agent's model: call this turn's tool, then answer with our reply text."""
    last = body["messages"][-1]
    if last["role"] == "user" and (call := turn.flat_call()):
        return s.tool_call(call[0], filled(call[1], memo))
    return s.content(reply)


def compact(value: Any) -> str:
    """JSON as a tool would return it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def tool_output(result: Any) -> str:
    """What the flat agent's tool returns on this turn: the data our graph produced."""
    data = result.model_dump(include={"status", "ticket", "draft", "tickets",
                                      "pending_action", "missing_fields"})
    return compact({k: v for k, v in data.items() if v})
