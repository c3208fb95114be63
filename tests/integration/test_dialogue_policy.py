"""The dialogue policy end to end: the real graph, the Postgres checkpointer, the rules planner."""

from __future__ import annotations

from tests import sql
from tests.factories import Stack, actor
from tools.replies import say, say_in


async def _ticket(stack: Stack, who, message: str = "我的VPN连不上了，帮我提个工单") -> tuple[str, str]:
    r = await stack.turn(who, message)
    assert r.status == "OK", r.reply
    return r.thread_id, r.ticket["ticket_id"]


PendingAction = "SELECT * FROM pending_actions WHERE id = %(key)s"
Ticket = "SELECT * FROM tickets WHERE ticket_id = %(key)s"


async def _row(stack: Stack, query: str, key: str):
    return await sql.row(stack.services.db, query, {"key": key})


async def _waiting_escalation(stack: Stack, who) -> tuple[str, str, dict]:
    """A new ticket in a thread, and its escalation waiting for a yes: (thread, ticket, pending action)."""
    thread, ticket_id = await _ticket(stack, who, "please open a ticket: my laptop won't boot")
    r = await stack.turn(who, "escalate it please", thread_id=thread)
    assert r.status == "NEED_CONFIRMATION", r.reply
    return thread, ticket_id, r.pending_action


async def test_an_unclear_reply_keeps_the_action_and_asks_again_in_words(stack: Stack) -> None:
    who = actor()
    thread, ticket_id, pending = await _waiting_escalation(stack, who)
    for unclear in ("hmm, what happens if I escalate?", "let me think"):
        r = await stack.turn(who, unclear, thread_id=thread)
        assert r.status == "NEED_CONFIRMATION" and r.pending_action["id"] == pending["id"]
        assert "escalate" in r.reply and ticket_id in r.reply and "escalate_ticket" not in r.reply
        assert r.memory.pending_action_id == pending["id"]
    assert (await stack.views.get_thread(thread, who))["status"] == "interrupted"
    r = await stack.turn(who, "yeah go for it", thread_id=thread)
    assert (r.status, r.intent) == ("OK", "confirm") and r.ticket["escalation_level"] == 1
    assert (await _row(stack, PendingAction, pending["id"])).status == "EXECUTED"


async def test_a_new_request_supersedes_the_action_and_says_so(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _ticket(stack, who)
    r = await stack.turn(who, "帮我升级一下这个工单", thread_id=thread)
    pending = r.pending_action
    r = await stack.turn(who, "先不说这个，把我的单都列出来", thread_id=thread)
    assert r.tool == "list_my_tickets" and r.memory.pending_action_id is None
    notice = say_in("dialogue", "superseded", "zh", tool="escalate_ticket", target=ticket_id)
    assert r.reply.startswith(notice)
    assert (await _row(stack, PendingAction, pending["id"])).status == "SUPERSEDED"
    assert (await _row(stack, Ticket, ticket_id)).escalation_level == 0


async def test_small_talk_and_asides_keep_the_action_waiting(stack: Stack) -> None:
    who = actor()
    thread, ticket_id, pending = await _waiting_escalation(stack, who)
    for text, key in (("btw what's the weather like in London today", "pending_aside"),
                      ("thanks", "pending_reminder"), ("gotta go, bye", "pending_bye")):
        r = await stack.turn(who, text, thread_id=thread)
        assert r.status == "NEED_CONFIRMATION" and r.pending_action["id"] == pending["id"], text
        assert r.reply.startswith(say_in("dialogue", key, "en", prompt="").split("{")[0][:20]), r.reply
        assert ticket_id in r.reply and "escalate_ticket" not in r.reply
    r = await stack.turn(who, "对了明天会下雨吗", thread_id=thread)
    assert r.status == "NEED_CONFIRMATION" and r.reply.startswith("抱歉，这个我帮不上忙")
    assert (await _row(stack, PendingAction, pending["id"])).status == "PENDING"
    assert (await _row(stack, Ticket, ticket_id)).escalation_level == 0


async def test_not_now_declines_without_running_it(stack: Stack) -> None:
    who = actor()
    thread, ticket_id, pending = await _waiting_escalation(stack, who)
    r = await stack.turn(who, "escalate it tomorrow", thread_id=thread)
    assert (r.status, r.intent) == ("CANCELLED", "cancel"), r.reply
    assert (await _row(stack, PendingAction, pending["id"])).status == "CANCELLED"
    assert (await _row(stack, Ticket, ticket_id)).escalation_level == 0


async def test_a_waiting_cancel_is_kept_with_keep_it_and_asked_again_on_cancel(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _ticket(stack, who)
    r = await stack.turn(who, "帮我把这个工单取消掉", thread_id=thread)
    assert r.status == "NEED_CONFIRMATION" and "「保留」" in r.reply
    r = await stack.turn(who, "取消", thread_id=thread)  # cancel the ticket, or cancel this?
    assert r.status == "NEED_CONFIRMATION" and "「取消」" in r.reply and ticket_id in r.reply
    assert (await _row(stack, Ticket, ticket_id)).status == "OPEN"
    r = await stack.turn(who, "保留", thread_id=thread)
    assert (r.status, r.intent) == ("CANCELLED", "cancel") and ticket_id in r.reply
    assert "取消了" not in r.reply and (await _row(stack, Ticket, ticket_id)).status == "OPEN"


async def test_no_keep_it_in_english_keeps_the_ticket(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _ticket(stack, who, "open a ticket: outlook keeps asking for my password")
    r = await stack.turn(who, "cancel that ticket", thread_id=thread)
    assert 'Reply "yes"' in r.reply and '"keep it"' in r.reply
    r = await stack.turn(who, "no, keep it", thread_id=thread)
    assert r.status == "CANCELLED" and "cancelled" not in r.reply.lower().replace("not cancelled", "")
    assert (await _row(stack, Ticket, ticket_id)).status == "OPEN"


async def test_my_last_ticket_resolves_from_my_own_tickets_in_a_new_thread(stack: Stack) -> None:
    who, other = actor(), actor()
    await _ticket(stack, other, "帮我提个工单，打印机卡纸了")
    await _ticket(stack, who, "帮我提个工单，鼠标坏了")
    _, newest = await _ticket(stack, who, "帮我提个工单，键盘坏了")
    for text in ("cancel my last ticket", "我上一个工单帮我取消", "最近那个单取消掉"):
        r = await stack.turn(who, text)  # a new thread: no memory
        assert r.status == "NEED_CONFIRMATION", r.reply
        assert r.pending_action["target"] == newest
    r = await stack.turn(actor(), "cancel my last ticket")  # someone with no tickets is asked
    assert r.status == "NEED_MORE_INFO" and r.missing_fields == ["ticket_id"]


async def test_small_talk_and_out_of_scope_get_short_friendly_replies(stack: Stack) -> None:
    who = actor()
    cases = {"谢谢！": say_in("dialogue", "thanks", "zh"), "thx, that's all": say_in("dialogue", "bye", "en"),
             "what's the weather tomorrow?": say_in("dialogue", "out_of_scope", "en"),
             "帮我订一张去上海的机票": say_in("dialogue", "out_of_scope", "zh")}
    for text, reply in cases.items():
        r = await stack.turn(who, text)
        assert (r.status, r.intent, r.reply) == ("OK", "chitchat", reply)
        assert "ticket?" not in r.reply and "工单吗" not in r.reply


async def test_task_like_input_is_asked_about_never_greeted(stack: Stack) -> None:
    r = await stack.turn(actor(), "有个问题")
    assert r.intent == "chitchat" and r.reply != say("chitchat", "zh") and "？" in r.reply
    for text in ("ticket please", "开个ticket", "能帮我建个单子吗"):
        r = await stack.turn(actor(), text)
        assert (r.status, r.intent) == ("NEED_MORE_INFO", "create_ticket"), (text, r.reply)


async def test_an_urgent_one_sentence_ticket(stack: Stack) -> None:
    r = await stack.turn(actor(), "URGENT!!! whole sales team can't send emails, open a P1 ticket now")
    assert r.status == "OK" and r.ticket["priority"] == "P1" and r.ticket["category"] == "email"
    assert r.ticket["title"] == "whole sales team can't send emails"
    r = await stack.turn(actor(), "pls make a ticket, Adobe Acrobat crashes whenever I open a PDF")
    assert r.ticket["title"] == "Adobe Acrobat crashes whenever I open a PDF"
    assert r.ticket["priority"] != "P4"


async def test_submitting_a_draft_and_closing_in_other_words(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "帮我提个工单")
    thread = r.thread_id
    r = await stack.turn(who, "Outlook 收不到邮件，是邮件问题", thread_id=thread)
    assert r.status == "OK" and r.intent == "resume_draft", r.reply
    ticket_id = r.ticket["ticket_id"]
    r = await stack.turn(who, "make it high priority pls", thread_id=thread)
    assert (r.status, r.tool) == ("OK", "update_ticket") and r.ticket["priority"] == "P2"
    kinds = [r.tool for r in await sql.rows(stack.services.db, "SELECT tool FROM pending_actions "
                                            "WHERE target = %(t)s", {"t": ticket_id})]
    assert kinds == []
