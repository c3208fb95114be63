"""Replies through the real graph: words, not internal names; refusals say why and what instead."""

from __future__ import annotations

import re

from tests.factories import Stack, actor
from tools.domain import PRIORITIES, TicketStatus
from tools.registry import TICKET_TOOLS

CODES = re.compile(r"\b(?:" + "|".join([*TICKET_TOOLS, *(s.value for s in TicketStatus), *PRIORITIES]) + r")\b")


def clean(reply: str) -> str:
    assert not CODES.findall(reply), reply
    assert "ticket(s)" not in reply
    return reply


async def test_a_chinese_conversation_never_shows_codes(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    thread, ticket_id = r.thread_id, r.ticket["ticket_id"]
    assert "网络" in clean(r.reply)
    r = await stack.turn(who, f"帮我查一下 {ticket_id} 的状态", thread_id=thread)
    assert "待处理" in clean(r.reply) and "OPEN" not in r.reply
    r = await stack.turn(who, "帮我升级一下这个工单", thread_id=thread)
    assert r.status == "NEED_CONFIRMATION"
    assert f"要把工单 {ticket_id} 升级吗？回复「确认」升级，回复「不用了」不做更改" in clean(r.reply)
    r = await stack.turn(who, "确认", thread_id=thread)
    assert r.status == "OK" and "升级到第 1 级" in clean(r.reply)
    r = await stack.turn(who, "帮我把这个工单取消掉", thread_id=thread)
    assert "回复「保留」" in clean(r.reply) and "回复「取消」" not in r.reply
    r = await stack.turn(who, "我的工单", thread_id=thread)
    assert "你有 1 张工单" in clean(r.reply)


async def test_closing_an_open_ticket_is_refused_with_the_reason_and_a_way_forward(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "The office printer on floor 3 keeps jamming, please open a ticket")
    thread, ticket_id = r.thread_id, r.ticket["ticket_id"]
    r = await stack.turn(who, f"close {ticket_id}", thread_id=thread)
    assert (r.status, r.reason) == ("REJECTED", "INVALID_TRANSITION")
    assert clean(r.reply) == (f"{ticket_id} is open; only resolved tickets can be closed. "
                              "Do you want to cancel it instead?")


async def test_a_requester_resolving_is_told_who_can(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    r = await stack.turn(who, f"把 {r.ticket['ticket_id']} 标记为已解决", thread_id=r.thread_id)
    assert (r.status, r.reason) == ("REJECTED", "FORBIDDEN"), r.reply
    assert "技术支持人员或管理员" in clean(r.reply) and "取消" in r.reply


async def test_a_ticket_not_in_view_is_named_without_its_status(stack: Stack) -> None:
    owner, other = actor(), actor()
    r = await stack.turn(owner, "我的VPN连不上了，帮我提个工单")
    ticket_id = r.ticket["ticket_id"]
    r = await stack.turn(other, f"escalate {ticket_id}")
    assert (r.status, r.reason) == ("REJECTED", "TICKET_NOT_FOUND")
    assert ticket_id in clean(r.reply) and "list your tickets" in r.reply and "open" not in r.reply
