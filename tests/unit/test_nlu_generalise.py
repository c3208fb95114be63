"""Rules that make the planner generalise (found with bench/nlu_eval.py --folds 5, never held-out)."""

from __future__ import annotations

import pytest

from tools.nlu.evaluate import MEMORY_TICKET
from tools.planner.analysis import analyse
from tools.planner.answers import Answer, read_answer
from tools.planner.lexicon import normalize
from tools.planner.opinion import _task
from tools.planner.plan import PlanContext, Talk
from tools.planner.rules import _build, plan_rules

MEM = PlanContext(ticket_id=MEMORY_TICKET, ticket_source="memory")


@pytest.mark.parametrize(("text", "tool"), [
    ("升级是给谁看", "escalate_ticket"), ("升级要多久", "escalate_ticket"), ("没看懂", "escalate_ticket"),
    ("会有什么影响？", "close_ticket"), ("关了会怎么样", "close_ticket"), ("can I undo that?", "cancel_ticket"),
    ("what happens to the history?", "close_ticket"), ("我考虑考虑", "cancel_ticket"),
    # the person will come back: not yet an answer, and no new request
    ("let me ask my boss first", "escalate_ticket"), ("我先测一下再告诉你", "close_ticket"),
    ("I'll check with the team and get back to you", "cancel_ticket"), ("等会儿，我看看是不是这个单", "cancel_ticket"),
])
def test_a_question_about_the_waiting_action_keeps_it_waiting(text: str, tool: str) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is Answer.UNCLEAR


@pytest.mark.parametrize(("text", "tool"), [
    ("明天天气怎么样", "escalate_ticket"),  # an unrelated question is still a new request
    ("等等，先把我所有的单列一下", "close_ticket"),  # a request for another action beats a deferral
])
def test_a_new_request_while_an_action_waits_supersedes_it(text: str, tool: str) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is Answer.NEW_REQUEST


@pytest.mark.parametrize(("text", "talk"), [
    ("will it rain today", Talk.OUT_OF_SCOPE), ("帮我查一下航班", Talk.OUT_OF_SCOPE),
    ("write an essay about climate change", Talk.OUT_OF_SCOPE), ("translate hello into Spanish", Talk.OUT_OF_SCOPE),
    ("hi, anybody here?", Talk.GREETING), ("你好，请问有人吗", Talk.GREETING), ("hey, you there?", Talk.GREETING),
    ("see you tomorrow", Talk.BYE), ("明天见", Talk.BYE),
    ("怎么搞的", Talk.CLARIFY), ("same again", Talk.CLARIFY), ("帮我看看", Talk.CLARIFY),
])
def test_what_is_not_about_it(text: str, talk: Talk) -> None:
    """The pronoun "it", everyday typo targets and a reading verb alone do not make a message IT."""
    plan = plan_rules(text, PlanContext())
    assert (plan.route, plan.args.get("talk")) == ("chitchat", talk)


@pytest.mark.parametrize(("text", "ctx", "tool"), [
    ("帮我结单", MEM, "close_ticket"), ("查一下TCK-2026-AB12CD", PlanContext(), "get_ticket"),
    ("please scrap that ticket", MEM, "cancel_ticket"), ("open my ticket back up", MEM, "reopen_ticket"),
    ("帮我往上报一下", MEM, "escalate_ticket"), ("note: the laptop is in the drawer", MEM, "add_comment"),
    ("标成已解决", MEM, "resolve_ticket"), ("change the title of my last ticket to VPN drops", PlanContext(),
                                         "update_ticket"),
])
def test_ticket_phrasings(text: str, ctx: PlanContext, tool: str) -> None:
    plan = plan_rules(text, ctx)
    assert (plan.route, plan.tool) == ("ticket_op", tool)


@pytest.mark.parametrize(("tool", "text", "expected"), [
    # the waiting action restated, however it was planned, confirms it
    ("escalate_ticket", "升吧", Answer.CONFIRM), ("close_ticket", "关吧", Answer.CONFIRM),
    # "don't ask again, do it": a negated question is a yes
    ("escalate_ticket", "不用问了，直接升级", Answer.CONFIRM), ("close_ticket", "不用确认了，关吧", Answer.CONFIRM),
    ("resolve_ticket", "不用再问了，执行吧", Answer.CONFIRM), ("escalate_ticket", "别犹豫了，确认", Answer.CONFIRM),
    ("escalate_ticket", "没毛病", Answer.CONFIRM), ("resolve_ticket", "没问题，已经好了", Answer.CONFIRM),
    ("escalate_ticket", "no need to ask, just do it", Answer.CONFIRM),
    # while a cancel waits, "I don't need it any more" with a yes confirms; alone it is asked again
    ("cancel_ticket", "嗯，不要了", Answer.CONFIRM), ("cancel_ticket", "对的，这个单不要了", Answer.CONFIRM),
    ("cancel_ticket", "yeah I don't need it, cancel", Answer.CONFIRM), ("cancel_ticket", "不要了", Answer.UNCLEAR),
    ("cancel_ticket", "I still need the ticket, keep it", Answer.DECLINE),
    ("escalate_ticket", "不要了", Answer.DECLINE),  # not a cancel: a plain no
    # a negated restatement still never confirms
    ("close_ticket", "先别关", Answer.DECLINE), ("close_ticket", "不关了", Answer.DECLINE),
    ("escalate_ticket", "不用升级了", Answer.DECLINE), ("cancel_ticket", "还是不要了吧？", Answer.DECLINE),
])
def test_colloquial_answers_while_an_action_waits(tool: str, text: str, expected: Answer) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is expected


@pytest.mark.parametrize(("text", "talk"), [
    ("good afternoon", Talk.GREETING), ("greetings", Talk.GREETING), ("sup", Talk.GREETING),
    ("gm", Talk.GREETING), ("gotta go", Talk.BYE), ("i'm off", Talk.BYE), ("good night", Talk.BYE),
    ("晚安", Talk.BYE), ("行，没事了", Talk.BYE), ("you're a star", Talk.THANKS),
    ("hi, thanks", Talk.THANKS), ("hello, bye", Talk.BYE),
    ("sing me a song", Talk.OUT_OF_SCOPE), ("book a table for two tonight", Talk.OUT_OF_SCOPE),
])
def test_closed_class_small_talk_and_everyday_requests(text: str, talk: Talk) -> None:
    plan = plan_rules(text, PlanContext())
    assert (plan.route, plan.args.get("talk")) == ("chitchat", talk)


@pytest.mark.parametrize(("text", "comment"), [
    ("write in the ticket that it's fixed on wifi but not on cable", "it's fixed on wifi but not on cable"),
    ("let them know in the ticket that I restarted it", "I restarted it"),
    ("update the ticket notes: my manager approved the purchase", "my manager approved the purchase"),
    ("在TCK-2026-YH65TG下面回复：已经按你说的做了", "已经按你说的做了"),
    ("帮我在单子里说下，我今天在家", "我今天在家"),
])
def test_a_comment_phrase_makes_the_rest_the_comment(text: str, comment: str) -> None:
    """Words inside the comment ("fixed", "update") never pick another tool."""
    plan = plan_rules(text, MEM)
    assert (plan.route, plan.tool, plan.args.get("comment")) == ("ticket_op", "add_comment", comment)


@pytest.mark.parametrize(("tool", "text"), [
    ("escalate_ticket", "huh?"), ("cancel_ticket", "你说啥"), ("escalate_ticket", "没懂你的意思"),
    ("close_ticket", "sorry, what?"), ("close_ticket", "will I still see it in my list?"),
    ("close_ticket", "what happens to the ticket after it's closed"),
    ("resolve_ticket", "does resolving close it too"),
])
def test_not_understanding_or_asking_what_follows_keeps_it_waiting(tool: str, text: str) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is Answer.UNCLEAR


@pytest.mark.parametrize("text", ["which browser should I use for SAP", "how to print double sided",
                                  "what are the helpdesk opening hours", "how do I recover a deleted file",
                                  "is there a way to recover an overwritten excel file"])
def test_an_it_question_is_never_refused_as_out_of_scope(text: str) -> None:
    assert plan_rules(text, PlanContext()).route == "kb_qa"


@pytest.mark.parametrize(("text", "tool"), [
    ("open it again please, the fix didn't work", "reopen_ticket"),
    ("can you open that ticket again? it's broken again", "reopen_ticket"),
    ("问题没解决，把单打回去", "reopen_ticket"),
    ("已经好了，标成已解决吧", "resolve_ticket"), ("结单吧", "close_ticket"),
])
def test_reopen_resolve_and_close_phrasings(text: str, tool: str) -> None:
    plan = plan_rules(text, MEM)
    assert (plan.route, plan.tool) == ("ticket_op", tool)


@pytest.mark.parametrize(("text", "talk"), [
    ("yo, you up?", Talk.GREETING), ("hi there, anyone around?", Talk.GREETING),
    ("你好，小助手在吗", Talk.GREETING), ("hello? anyone?", Talk.GREETING),
    ("how do you say hello in german", Talk.OUT_OF_SCOPE), ("how do you say thank you in Japanese", Talk.OUT_OF_SCOPE),
    ("帮个忙", Talk.CLARIFY), ("能帮个忙吗", Talk.CLARIFY), ("咋整", Talk.CLARIFY),
    ("erm", Talk.CLARIFY), ("anyway", Talk.CLARIFY), ("另外", Talk.CLARIFY), ("one more thing", Talk.CLARIFY),
])
def test_a_greeting_word_inside_a_question_is_not_small_talk(text: str, talk: Talk) -> None:
    plan = plan_rules(text, PlanContext())
    assert (plan.route, plan.args.get("talk")) == ("chitchat", talk)


@pytest.mark.parametrize(("tool", "text", "expected"), [
    # a yes that names another action never confirms the waiting one
    ("escalate_ticket", "yes, close it", Answer.NEW_REQUEST), ("close_ticket", "yes, escalate it", Answer.NEW_REQUEST),
    ("escalate_ticket", "yes it's fixed", Answer.UNCLEAR), ("cancel_ticket", "对，已经好了", Answer.UNCLEAR),
    # "it's fixed" joins a yes to a waiting resolve or close
    ("resolve_ticket", "yes it's fixed", Answer.CONFIRM), ("resolve_ticket", "对，已经解决了", Answer.CONFIRM),
    ("close_ticket", "yes, it's working now, close it", Answer.CONFIRM),
    ("resolve_ticket", "no it's still broken", Answer.DECLINE),
    # a hesitation with a no is a no
    ("close_ticket", "wait, don't close", Answer.DECLINE), ("cancel_ticket", "wait no, keep it open", Answer.DECLINE),
    ("close_ticket", "hold off on that", Answer.DECLINE), ("close_ticket", "hmm not sure", Answer.UNCLEAR),
])
def test_what_a_yes_or_a_no_is_about(tool: str, text: str, expected: Answer) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is expected


@pytest.mark.parametrize(("text", "label"), [("was it cancelled?", "ticket_op.cancel"),
                                           ("has it been escalated?", "ticket_op.escalate"),
                                           ("是不是已经关了？", "ticket_op.close")])
def test_a_question_about_a_tickets_state_proposes_no_dangerous_action(text: str, label: str) -> None:
    """Even where the model reads the action itself, a question without its word proposes nothing."""
    analysis = analyse(normalize(text))
    for ctx in (PlanContext(), MEM):
        assert _task(label, analysis, ctx, _build, "model") is None
        assert not plan_rules(text, ctx).need_confirmation


@pytest.mark.parametrize(("text", "ctx", "tool"), [
    ("那个工单我不需要了", PlanContext(), "cancel_ticket"), ("工单结束吧，谢谢", PlanContext(), "close_ticket"),
    ("shut the ticket", MEM, "close_ticket"), ("TCK-2026-KJ76HG 已经解决了，标记一下", PlanContext(), "resolve_ticket"),
    ("我的单子一直没人理，帮忙升个级", PlanContext(), "escalate_ticket"),  # "my tickets" is one of them here
    ("工单能不能优先一下，急用", PlanContext(), "escalate_ticket"),
    ("can you get someone senior on my ticket", PlanContext(), "escalate_ticket"),
    ("is my printer ticket being worked on?", PlanContext(), "get_ticket"),
    ("那个 ticket 有 update 吗", PlanContext(), "get_ticket"), ("我那个打印机的单有回复了没", PlanContext(), "get_ticket"),
    ("我这个月提了多少单", PlanContext(), "list_my_tickets"), ("what have I got open right now", PlanContext(), "list_my_tickets"),
    ("我的工单", PlanContext(), "list_my_tickets"),
    ("lower it to P4", MEM, "update_ticket"), ("could you make my newest ticket urgent?", PlanContext(), "update_ticket"),
])
def test_more_ticket_phrasings(text: str, ctx: PlanContext, tool: str) -> None:
    plan = plan_rules(text, ctx)
    assert (plan.route, plan.tool) == ("ticket_op", tool), plan.rationale


@pytest.mark.parametrize(("word", "fixed"), [
    ("reserve", None), ("convert", None), ("conference", None),  # real words stay as written
    ("outlok", "outlook"), ("pasword", "password"), ("vnp", "vpn"),
])
def test_only_misspellings_are_corrected(word: str, fixed: str | None) -> None:
    from tools.nlu.fuzzy import correct_word
    assert correct_word(word) == fixed


@pytest.mark.parametrize("text", ["一根香蕉多少卡路里", "怎么办理停车月卡", "reserve a table for two tonight"])
def test_everyday_words_do_not_make_a_message_it(text: str) -> None:
    assert plan_rules(text, PlanContext()).args.get("talk") == Talk.OUT_OF_SCOPE


@pytest.mark.parametrize(("text", "tool"), [
    ("where are we on this?", "get_ticket"), ("有人接手了吗", "get_ticket"),
])
def test_a_question_about_nothing_it_is_about_the_remembered_ticket(text: str, tool: str) -> None:
    assert plan_rules(text, MEM).tool == tool
    assert plan_rules(text, PlanContext()).tool is None


@pytest.mark.parametrize("text", ["好的", "ok", "行", "yes"])
def test_a_lone_answer_word_with_nothing_waiting_runs_nothing(text: str) -> None:
    for ctx in (MEM, PlanContext()):
        assert plan_rules(text, ctx).route == "chitchat"


@pytest.mark.parametrize(("text", "tool"), [
    ("升级是免费的吗 哈哈", "escalate_ticket"), ("is escalating free? lol", "escalate_ticket"),
    ("关了还能看到记录吗😂", "close_ticket"), ("是要撤掉吗 哈哈哈", "cancel_ticket"),
])
def test_a_question_with_a_laugh_after_it_is_still_a_question(text: str, tool: str) -> None:
    """Never a yes: laughter or an emoji after the question mark does not make it a statement."""
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is not Answer.CONFIRM


@pytest.mark.parametrize("text", ["好的，帮我提个工单", "ok, open a ticket for me", "行，那帮我列一下我的单"])
def test_a_yes_word_before_a_request_in_its_own_words_is_that_request(text: str) -> None:
    assert read_answer(text, "escalate_ticket", plan_rules(text, MEM), MEMORY_TICKET) is Answer.NEW_REQUEST


@pytest.mark.parametrize(("text", "ctx", "route", "tool"), [
    ("那个单子其实是账号问题，类别帮我改一下", MEM, "ticket_op", "update_ticket"),  # 类别 is no 别 (don't)
    ("not getting the MFA push on my phone anymore", PlanContext(), "kb_qa", None),  # "not getting" negates no tool
    ("彩色打印要单独申请吗", PlanContext(), "kb_qa", None),  # 要单独 is no 要单 (a new ticket)
])
def test_words_inside_other_words_are_not_read(text: str, ctx: PlanContext, route: str, tool: str | None) -> None:
    plan = plan_rules(text, ctx)
    assert (plan.route, plan.tool) == (route, tool), plan.rationale


@pytest.mark.parametrize(("text", "route"), [
    ("pls fix my laptop", "create_ticket"), ("send someone to fix the printer", "create_ticket"),
    ("可以派个人来换下键盘吗，有几个键坏了", "create_ticket"), ("how do I fix my outlook search", "kb_qa"),
])
def test_asking_for_someone_to_do_the_work_asks_for_a_ticket(text: str, route: str) -> None:
    assert plan_rules(text, PlanContext()).route == route


@pytest.mark.parametrize(("text", "answer"), [
    ("👍", Answer.CONFIRM), ("搞起", Answer.CONFIRM), ("您好，暂时不需要升级，谢谢", Answer.DECLINE),
    ("甭升了", Answer.DECLINE), ("nein", Answer.DECLINE),
])
def test_everyday_yes_and_no(text: str, answer: Answer) -> None:
    assert read_answer(text, "escalate_ticket", plan_rules(text, MEM), MEMORY_TICKET) is answer


@pytest.mark.parametrize(("text", "talk"), [
    ("book a train ticket to hamburg", Talk.OUT_OF_SCOPE), ("帮我订两张电影票", Talk.OUT_OF_SCOPE),
    ("帮我写个 PPT 大纲讲市场分析", Talk.OUT_OF_SCOPE), ("can you rewrite this email to my landlord", Talk.OUT_OF_SCOPE),
    ("您好，我这边遇到了一点问题", Talk.CLARIFY), ("你好，麻烦帮我处理一下", Talk.CLARIFY),
    ("hello helpdesk", Talk.GREETING), ("good morning, IT team", Talk.GREETING),
])
def test_everyday_requests_and_greetings_before_a_problem(text: str, talk: Talk) -> None:
    assert plan_rules(text, PlanContext()).args.get("talk") == talk


@pytest.mark.parametrize(("text", "route", "tool"), [
    ("什么情况下工单可以升级", "kb_qa", None), ("escalate 以后一般多久响应", "kb_qa", None),
    ("帮我把工单升级一下", "ticket_op", "escalate_ticket"),  # personal: a request, not a question
    ("can someone senior look at TCK-2026-K4TA9F please", "ticket_op", "escalate_ticket"),
    ("找个懂行的人帮我看看我的单", "ticket_op", "escalate_ticket"),
])
def test_how_tickets_work_is_a_question_and_someone_senior_is_an_escalation(text: str, route: str,
                                                                           tool: str | None) -> None:
    plan = plan_rules(text, PlanContext())
    assert (plan.route, plan.tool) == (route, tool), plan.rationale


def test_a_general_question_about_something_else_stays_out_of_scope() -> None:
    assert plan_rules("请假流程怎么走", PlanContext()).args.get("talk") == Talk.OUT_OF_SCOPE


@pytest.mark.parametrize(("text", "status"), [
    ("resolved 的 ticket 给我看下", "RESOLVED"), ("我已经关闭的单有哪些", "CLOSED"), ("my closed ones pls", "CLOSED"),
    ("which of mine are resolved", "RESOLVED"), ("还开着的单子给我看看", "OPEN"),
])
def test_a_status_said_of_the_tickets_lists_them_by_it(text: str, status: str) -> None:
    plan = plan_rules(text, PlanContext())
    assert (plan.tool, plan.args.get("status")) == ("list_my_tickets", status), plan.rationale


@pytest.mark.parametrize(("text", "talk"), [
    ("best regards", Talk.BYE), ("have a nice weekend", Talk.BYE), ("先不打扰了", Talk.BYE), ("gtg", Talk.BYE),
    ("namaste", Talk.GREETING), ("servus", Talk.GREETING), ("有人没", Talk.GREETING),
    ("please look into the matter", Talk.CLARIFY), ("pls do the needful", Talk.CLARIFY),
])
def test_more_ways_of_saying_bye_hello_and_please_deal_with_it(text: str, talk: Talk) -> None:
    assert plan_rules(text, PlanContext()).args.get("talk") == talk


@pytest.mark.parametrize("text", ["我先看看再说", "我问问领导先", "ask me later", "hold that thought"])
def test_coming_back_later_keeps_the_action_waiting_and_is_no_goodbye(text: str) -> None:
    assert read_answer(text, "escalate_ticket", plan_rules(text, MEM), MEMORY_TICKET) is Answer.UNCLEAR
    assert plan_rules(text, MEM).args.get("talk") != Talk.BYE


@pytest.mark.parametrize(("text", "tool"), [
    ("please void ticket TCK-2026-S8KE2J", "cancel_ticket"), ("drop TCK-2025-N6BY3Q pls", "cancel_ticket"),
    ("I don't need TCK-2026-D5XR8L anymore", "cancel_ticket"),
    ("update my ticket with: happened again 10:42 today", "add_comment"),
    ("append to my latest ticket - also happens on wifi", "add_comment"),
    ("最近关掉的那个单帮我重开", "reopen_ticket"), ("结掉的那个单能重新打开吗", "reopen_ticket"),
    ("can you bump my vpn ticket to high priority", "update_ticket"),
    ("raise the 3rd one to L2", "escalate_ticket"),
])
def test_ticket_operations_in_other_words(text: str, tool: str) -> None:
    plan = plan_rules(text, PlanContext())
    assert plan.tool == tool, plan.rationale


@pytest.mark.parametrize("text", ["bitlocker 要恢复密钥，去哪里拿", "what's the process to get admin rights on my machine"])
def test_it_words_of_every_day_make_a_knowledge_question(text: str) -> None:
    assert plan_rules(text, PlanContext()).route == "kb_qa"


@pytest.mark.parametrize(("text", "tool"), [
    ("不用催了，刚刚修好了，直接关单", "close_ticket"), ("别关，先标成已解决，我观察两天", "resolve_ticket"),
])
def test_not_this_one_that_one_instead_supersedes(text: str, tool: str) -> None:
    pending = "escalate_ticket" if tool == "close_ticket" else "close_ticket"
    plan = plan_rules(text, MEM)
    assert read_answer(text, pending, plan, MEMORY_TICKET) is Answer.NEW_REQUEST and plan.tool == tool


@pytest.mark.parametrize(("text", "route", "tool"), [
    ("when will my printer ticket be fixed", "ticket_op", "get_ticket"),
    ("show every open ticket I have", "ticket_op", "list_my_tickets"),
    ("我需要 IT 上门，帮我安排一下", "create_ticket", None),
    ("best biryani place near the Bangalore office?", "chitchat", None),
    ("what's the exchange rate SGD to EUR", "chitchat", None),
    ("社保基数怎么调整", "chitchat", None),
])
def test_more_everyday_readings(text: str, route: str, tool: str | None) -> None:
    plan = plan_rules(text, PlanContext())
    assert (plan.route, plan.tool) == (route, tool), plan.rationale


@pytest.mark.parametrize(("text", "tool"), [
    ("TCK-2026-X3YLIB can be closed", "close_ticket"), ("hey can TCK-2026-9HIT4F be reopened? the wifi card died again", "reopen_ticket"),
    ("I'd like an update regarding TCK-2026-YA2CLM please", "get_ticket"), ("hows my vpn ticket coming along", "get_ticket"),
    ("did IT reply on the ticket I raised this morning", "get_ticket"),
])
def test_passives_and_news(text: str, tool: str) -> None:
    plan = plan_rules(text, PlanContext())
    assert plan.tool == tool, plan.rationale


@pytest.mark.parametrize(("text", "tool"), [
    ("before you resolve it add a note that the driver update fixed it", "resolve_ticket"),
    ("if I cancel, can I reopen later?", "cancel_ticket"),
])
def test_a_condition_on_the_waiting_action_is_never_its_yes(text: str, tool: str) -> None:
    assert read_answer(text, tool, plan_rules(text, MEM), MEMORY_TICKET) is not Answer.CONFIRM


@pytest.mark.parametrize(("text", "route"), [
    ("fix this pls", "chitchat"), ("这个问题帮我升级成工单吧，打印机驱动装不上", "create_ticket"),
    ("what time does the cafeteria close on fridays", "chitchat"), ("打车软件哪个便宜点", "chitchat"),
])
def test_requests_and_everyday_questions(text: str, route: str) -> None:
    assert plan_rules(text, PlanContext()).route == route
