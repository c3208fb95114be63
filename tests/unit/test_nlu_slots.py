"""Traditional Chinese, "not this, that instead", and the category / priority slots of a new
ticket, a draft answer or an update (found on the training part, never on held-out)."""

from __future__ import annotations

import pytest

from tools.nlu.evaluate import MEMORY_TICKET
from tools.planner.answers import Answer, read_answer
from tools.planner.fields import extract_ticket_fields
from tools.planner.lexicon import fold, simplified
from tools.planner.plan import PlanContext
from tools.planner.rules import plan_rules

MEM = PlanContext(ticket_id=MEMORY_TICKET, ticket_source="memory")
DRAFT = PlanContext(draft_id="DRF-2026-ABC123", draft_source="memory")
NONE = PlanContext()


@pytest.mark.parametrize(("text", "expected"), [
    ("幫我關閉 TCK-2026-QM62TV", "帮我关闭 tck-2026-qm62tv"), ("謝謝你", "谢谢你"),
    ("印表機壞了", "打印机坏了"), ("我的報修紀錄", "我的报修纪录"),
    ("隨身碟讀不到", "随身碟读不到"),  # 隨身碟 → U盘 would change the length: characters only
    ("帮我关闭工单", "帮我关闭工单"),  # already simplified: as it is
    ("著名的乾净", "著名的干净"),  # words first: 著名 stays, 乾净 is 干净
])
def test_traditional_chinese_is_folded_with_its_offsets(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(simplified(text)) == len(text)


@pytest.mark.parametrize(("text", "ctx", "tool"), [
    ("幫我關閉 TCK-2026-QM62TV", NONE, "close_ticket"), ("幫我重新開啟 TCK-2026-YK3R7D", NONE, "reopen_ticket"),
    ("我的報修紀錄", NONE, "list_my_tickets"), ("備註一下 我在台北辦公室", MEM, "add_comment"),
    ("幫我把 TCK-2026-QM62TV 改成高優先", NONE, "update_ticket"),
])
def test_traditional_chinese_is_understood(text: str, ctx: PlanContext, tool: str) -> None:
    assert plan_rules(text, ctx).tool == tool


@pytest.mark.parametrize(("text", "pending", "tool"), [
    ("不用升级了，刚修好，关掉吧", "escalate_ticket", "close_ticket"),
    ("不取消，改一下分类成网络", "cancel_ticket", "update_ticket"),
    ("it's not fixed, chase the tech instead of resolving", "resolve_ticket", "escalate_ticket"),
    ("don't close it, reopen it please", "close_ticket", "reopen_ticket"),
])
def test_not_this_action_but_that_one_supersedes_the_waiting_one(text: str, pending: str, tool: str) -> None:
    plan = plan_rules(text, MEM)
    assert plan.tool == tool
    assert read_answer(text, pending, plan, MEMORY_TICKET) is Answer.NEW_REQUEST


@pytest.mark.parametrize(("text", "tool"), [
    ("undo the close", "reopen_ticket"), ("can you reverse the closure", "reopen_ticket"),
    ("撤销关闭吧 还没好", "reopen_ticket"), ("同事帮我修好了 单子撤了吧", "cancel_ticket"),
])
def test_undoing_and_done_phrasings(text: str, tool: str) -> None:
    assert plan_rules(text, MEM).tool == tool


@pytest.mark.parametrize(("text", "route"), [
    ("电脑重开机了还是不行", "kb_qa"),  # 重开机 is a restart, and a symptom changes no ticket on a guess
    ("同事帮我修好了", "chitchat"),  # done already: no repair asked for
    ("帮我修一下打印机", "create_ticket"),
])
def test_a_told_symptom_or_a_done_repair_asks_for_no_change(text: str, route: str) -> None:
    assert plan_rules(text, MEM if route == "kb_qa" else NONE).route == route


@pytest.mark.parametrize(("text", "status"), [
    ("查查我还有多少open ticket", "OPEN"), ("我名下的open ticket有哪些", "OPEN"),
    ("我之前取消过的那些工单", "CANCELLED"),
])
def test_lists_by_count_and_described_status(text: str, status: str | None) -> None:
    plan = plan_rules(text, NONE)
    assert plan.tool == "list_my_tickets"
    assert plan.args.get("status") == status


@pytest.mark.parametrize("text", ["上次报修的显示器有消息了没", "where are we with the one i just logged",
                                  "any news on the ticket i raised yesterday"])
def test_the_ticket_i_reported_is_a_reference(text: str) -> None:
    assert plan_rules(text, NONE).tool == "get_ticket"


@pytest.mark.parametrize("text", ["yep, don't need that one at all", "yes, I don't need it anymore"])
def test_not_needing_it_with_a_yes_confirms_a_waiting_cancel(text: str) -> None:
    assert read_answer(text, "cancel_ticket", plan_rules(text, MEM), MEMORY_TICKET) is Answer.CONFIRM


@pytest.mark.parametrize(("text", "category"), [
    ("会议室电视不亮", "hardware"), ("要装visio", "software"), ("椅子旁边的网口坏了", "network"),
    ("门禁卡刷不开", "access"), ("电脑中病毒了", "software"), ("get admin rights on my laptop", "access"),
    ("phone on my desk has no dial tone", "hardware"), ("打印机驱动装不上", "software"),
    ("网又断了", "network"), ("开单，其他类，工位电话要搬", "other"),
    ("不是网络问题，是硬件", "hardware"), ("我要装修一下办公室", None),
])
def test_the_category_of_a_new_ticket(text: str, category: str | None) -> None:
    assert extract_ticket_fields(text).category == category


@pytest.mark.parametrize(("text", "priority"), [
    ("ticket for broken mouse, whenever you guys have time", "P4"), ("电脑风扇狂转，不是特别急", "P4"),
    ("我在香港出差 邮箱登不上 急", "P1"), ("急用，键盘坏了", "P2"), ("整层楼都没网了", "P1"),
    ("Adobe Acrobat crashes whenever I open a PDF", None), ("急救箱在哪里", None),
])
def test_the_priority_of_a_new_ticket(text: str, priority: str | None) -> None:
    assert extract_ticket_fields(text).priority == priority


@pytest.mark.parametrize(("text", "ctx", "changes"), [
    ("category should be email", MEM, {"category": "email"}),
    ("move it to hardware category", MEM, {"category": "hardware"}),
    ("can you recategorise it as network", MEM, {"category": "network"}),
    ("类别应该是账号", MEM, {"category": "account"}),
    ("第二个工单分类不对，应该是软件", NONE, {"category": "software"}),
    ("the printer ticket should be hardware not other", NONE, {"category": "hardware"}),
    ("change TCK-2026-E6WJ4N to hardware", NONE, {"category": "hardware"}),
    ("raise the priority of the third ticket to high", NONE, {"priority": "P2"}),
    ("bump TCK-2026-E6WJ4N down to low, it's not blocking me anymore", NONE, {"priority": "P4"}),
    ("my most recent ticket is not urgent anymore, set to medium", NONE, {"priority": "P3"}),
    ("TCK-2026-RW0WL2 改一下 priority 到 medium", NONE, {"priority": "P3"}),
    ("make it medium", MEM, {"priority": "P3"}),
])
def test_what_an_update_changes(text: str, ctx: PlanContext, changes: dict[str, str]) -> None:
    plan = plan_rules(text, ctx)
    assert plan.tool == "update_ticket"
    assert {k: plan.args.get(k) for k in ("category", "priority") if plan.args.get(k)} == changes


def test_a_change_of_subject_is_no_category_change() -> None:
    assert "category" not in plan_rules("update TCK-2026-E6WJ4N, the issue spreads to email too", NONE).args


@pytest.mark.parametrize(("text", "args"), [
    ("high please", {"priority": "P2"}), ("medium should be fine I guess", {"priority": "P3"}),
    ("低就行", {"priority": "P4"}), ("其他吧", {"category": "other"}), ("都不是，选其他", {"category": "other"}),
    ("none of those, other", {"category": "other"}), ("put it under other", {"category": "other"}),
])
def test_a_short_answer_to_the_drafts_question_fills_that_field_only(text: str, args: dict[str, str]) -> None:
    plan = plan_rules(text, DRAFT)
    assert plan.route == "resume_draft"
    assert plan.args == args


def test_a_sentence_starting_with_a_level_word_is_no_priority_answer() -> None:
    plan = plan_rules("high CPU usage on my laptop", DRAFT)
    assert "priority" not in plan.args
    assert plan.args.get("category") == "hardware"


@pytest.mark.parametrize(("text", "ctx", "tool", "status"), [
    ("上周那个邮箱的单关了没", NONE, "get_ticket", None),
    ("那个 access 申请的单 approve 了吗", NONE, "get_ticket", None),
    ("我报的修啥时候能好", NONE, "get_ticket", None), ("whats my ticket at", NONE, "get_ticket", None),
    ("帮我瞅一眼 TCK-2025-7ZLSOA", NONE, "get_ticket", None), ("so wheres it at now", MEM, "get_ticket", None),
    ("kindly update me the status of TCK-2026-R7KQ2M", NONE, "get_ticket", None),
    ("which requests did I cancel", NONE, "list_my_tickets", "CANCELLED"),
    ("what's still open on my side", NONE, "list_my_tickets", "OPEN"),
    ("anything i raised that's not fixed yet", NONE, "list_my_tickets", "OPEN"),
    ("is anything of mine being worked on", NONE, "list_my_tickets", "IN_PROGRESS"),
    ("我还有几个 ticket 没 close", NONE, "list_my_tickets", "OPEN"),
    ("我之前取消过的那些工单", NONE, "list_my_tickets", "CANCELLED"),
    ("我还有别的单没", MEM, "list_my_tickets", None), ("我的工单处理了没", MEM, "get_ticket", None),
])
def test_reads_and_lists_in_other_words(text: str, ctx: PlanContext, tool: str, status: str | None) -> None:
    plan = plan_rules(text, ctx)
    assert plan.tool == tool
    assert plan.args.get("status") == status


@pytest.mark.parametrize(("text", "talk"), [("在吗 有急事", "clarify"), ("有人吗！！急！！", "clarify"),
                                            ("hey, you there?", "greeting")])
def test_a_greeting_with_a_call_for_help_is_asked_about(text: str, talk: str) -> None:
    assert plan_rules(text, NONE).args.get("talk") == talk


@pytest.mark.parametrize(("text", "tool", "expected"), [
    ("唔好取消住", "cancel_ticket", Answer.DECLINE),  # "don't cancel yet": 唔 negates, 好 is no yes
    ("閂咗仲可唔可以再開", "close_ticket", Answer.UNCLEAR),  # "once closed, can it be reopened?"
    ("呢張係邊張單", "escalate_ticket", Answer.UNCLEAR),  # "which ticket is this?"
    ("好唔好升级先", "escalate_ticket", Answer.DECLINE),  # a question is never a yes
    ("冇問題，閂咗佢", "close_ticket", Answer.CONFIRM),
    ("yes change it", "update_ticket", Answer.CONFIRM),
])
def test_cantonese_and_restated_answers_while_an_action_waits(text: str, tool: str, expected: Answer) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is expected


@pytest.mark.parametrize(("text", "tool"), [
    ("我最近的那个报修啥时候能好", "get_ticket"), ("把最新的报修撤销，电脑找到了", "cancel_ticket"),
    ("最新的报修已经修好了，结单吧", "close_ticket"), ("最新的报修标记已修复", "resolve_ticket"),
    ("帮我报修，打印机坏了", None),
])
def test_the_newest_report_is_a_ticket_already_opened(text: str, tool: str | None) -> None:
    plan = plan_rules(text, NONE)
    assert plan.tool == tool
    assert plan.route == ("create_ticket" if tool is None else "ticket_op")


@pytest.mark.parametrize(("text", "tool"), [("改成已处理好", "resolve_ticket"), ("把这个单状态改成解决", "resolve_ticket"),
                                            ("un-close it please", "reopen_ticket"), ("閂咗佢啦", "close_ticket")])
def test_state_changes_in_other_words(text: str, tool: str) -> None:
    assert plan_rules(text, MEM).tool == tool


@pytest.mark.parametrize("text", ["我先忙了，拜", "好，就到这里", "heading into a meeting, talk soon", "until next time"])
def test_more_goodbyes(text: str) -> None:
    assert plan_rules(text, NONE).args.get("talk") == "bye"


@pytest.mark.parametrize(("text", "tool"), [
    ("forget the reopen, laptop's behaving now", "reopen_ticket"), ("skip the reopen", "reopen_ticket"),
    ("forget about closing it", "close_ticket"), ("never mind the escalate, it's fine", "escalate_ticket"),
])
def test_dropping_the_waiting_action_by_name_declines_it(text: str, tool: str) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is Answer.DECLINE


@pytest.mark.parametrize(("text", "tool"), [("drop my ticket", "cancel_ticket"), ("scrap that ticket", "cancel_ticket"),
                                            ("skip the queue and escalate it", "escalate_ticket")])
def test_a_drop_verb_on_the_ticket_itself_still_asks_for_the_action(text: str, tool: str) -> None:
    assert plan_rules(text, MEM).tool == tool


@pytest.mark.parametrize(("text", "tool", "status"), [
    ("drop a note on TCK-2026-JK10ZX that my extension is 4471", "add_comment", None),
    ("i need TCK-2026-OP56AD reopened", "reopen_ticket", None), ("麻烦结一下TCK-2026-OP92AD", "close_ticket", None),
    ("please shut TCK-2026-LZ92XV, issue fixed", "close_ticket", None), ("我报修的显示器有进展没", "get_ticket", None),
    ("最近我报修了哪些东西", "list_my_tickets", None), ("我取消了哪些", "list_my_tickets", "CANCELLED"),
    ("show the tickets of mine that got resolved", "list_my_tickets", "RESOLVED"),
])
def test_more_ticket_phrasings_of_other_writers(text: str, tool: str, status: str | None) -> None:
    plan = plan_rules(text, NONE)
    assert (plan.tool, plan.args.get("status")) == (tool, status)


@pytest.mark.parametrize("text", ["继续我的 draft", "I had a half-finished ticket, let's pick it up"])
def test_a_half_written_ticket_is_the_draft(text: str) -> None:
    assert plan_rules(text, NONE).route == "resume_draft"
