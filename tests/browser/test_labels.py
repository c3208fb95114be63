"""People read words, not codes: statuses, priorities, categories, actions and audit events on both pages.

The chat replies themselves are the backend's text (tests of #14 check them); here every part the
pages render from codes is checked, in Chinese and English, and again after switching language.
"""

from __future__ import annotations

import re
import uuid
from functools import partial
from typing import Any, get_args

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from graph.graph import build_graph
from graph.result import Status
from tests.browser.driver import chromium, screenshot, wait_for
from tests.browser.pages import card_facts, card_words, open_page, pending_card, pick_identity, say, ticket_card
from tests.server.helpers import who
from tools.domain import (
    CATEGORIES,
    PRIORITIES,
    REQUIRED_FIELDS,
    ROLES,
    TICKET_FIELDS,
    AuditEventType,
    DraftStatus,
    PendingStatus,
    TicketStatus,
)
from tools.llm.failure import FailureKind
from tools.planner.plan import Route
from tools.registry import TICKET_TOOLS

pytestmark = pytest.mark.slow

# What a person must read for a few codes (the test's own oracle, not read from the page's tables).
WORDS: dict[str, dict[str, Any]] = {
    "zh": {"status": {"OPEN": "待处理"}, "tool": {"escalate_ticket": "升级工单"}, "event": {"TICKET_CREATED": "创建工单"},
           "dt": "状态", "category": {"network": "网络", "account": "账号", "hardware": "硬件", "software": "软件",
                                     "access": "权限", "email": "邮件", "other": "其他"},
           "priority": ("紧急", "高", "中", "低")},
    "en": {"status": {"OPEN": "Open"}, "tool": {"escalate_ticket": "Escalate the ticket"},
           "event": {"TICKET_CREATED": "Ticket created"}, "dt": "Status",
           "category": {"network": "Network", "account": "Account", "hardware": "Hardware", "software": "Software",
                        "access": "Access", "email": "E-mail", "other": "Other"},
           "priority": ("Urgent", "High", "Normal", "Low")},
}
ASK = {"zh": ("我的VPN连不上了，帮我提个工单", "帮我升级工单 {}"), "en": ("My VPN is broken, please open a ticket",
                                                          "please escalate {}")}
OTHER = {"zh": "en", "en": "zh"}
# Codes that must never be read on a page (a word such as "Open" is fine, "OPEN" is not).
CODE = re.compile(r"_ticket\b|\b(?:OPEN|IN_PROGRESS|RESOLVED|CLOSED|CANCELLED|ACTIVE|PENDING|NEED_CONFIRMATION|"
                  r"TICKET_CREATED|TICKET_UPDATED|ACTION_[A-Z]+|TURN_COMPLETED|PLAN_[A-Z]+)\b")

# Everything the page shows, reply bubbles and a ticket's transcript included.
PAGE_TEXT = "return document.body.innerText;"  # replies and transcripts too: all of it is for people


def vocabulary() -> dict[str, set[str]]:
    """Every code the backend may hand the pages, by the kind of labels.js that names it."""
    nodes = {name for name in build_graph().nodes if not name.startswith("__")}
    return {
        "status": set(TicketStatus), "draft": set(DraftStatus), "pending": set(PendingStatus),
        "priority": set(PRIORITIES), "category": set(CATEGORIES), "tool": set(TICKET_TOOLS),
        "event": set(AuditEventType), "field": set(TICKET_FIELDS), "role": set(ROLES), "step": nodes,
        "result": {*get_args(Status), *get_args(Route), *get_args(FailureKind), "FOUND", "NO_MATCH"},
    }


def page_tables(driver: WebDriver) -> dict[str, Any]:
    """labels.js as the page loaded it, and what its lookup makes of an unknown code."""
    return dict(driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      Promise.all([import('/static/labels.js'), import('/static/i18n.js')]).then(([l, i]) =>
        done({ labels: l.LABELS, unknown: i.label('status', 'NO_SUCH_CODE'), tried: i.label(['tool', 'event'], 'TICKET_CREATED') }));"""))


def test_every_code_has_words_in_both_languages(live: str) -> None:
    with chromium() as driver:
        open_page(driver, live + "/")
        got = page_tables(driver)
    assert got["unknown"] == "NO_SUCH_CODE"  # unknown codes fall back to themselves
    assert got["tried"] == "Ticket created"  # several kinds are tried in order
    for language in ("zh", "en"):
        for kind, codes in vocabulary().items():
            table = got["labels"][language].get(kind, {})
            missing = sorted(c for c in codes if not table.get(c) or table[c] == c)
            assert not missing, f"{language} {kind}: no words for {missing}"
            if language == "zh":
                latin = sorted(c for c in codes if not re.search(r"[\u4e00-\u9fff]", table[c]))
                assert not latin, f"zh {kind}: no Chinese words for {latin}"


def switch_language(driver: WebDriver, language: str) -> None:
    Select(driver.find_element(By.ID, "lang")).select_by_value(language)
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang").startswith(language),
             what=f"switched to {language}")


def assert_card_words(driver: WebDriver, language: str, ticket_id: str, pending_tool: str) -> None:
    """The ticket card and the pending card of this page, read in `language`."""
    words = WORDS[language]
    card = driver.find_element(By.CSS_SELECTOR, f'.card.ticket[data-ticket-id="{ticket_id}"]')
    shown, codes = card_words(card), card_facts(card)
    assert shown["status"] == words["status"]["OPEN"] and "OPEN" not in card.text
    assert shown["category"] == words["category"][codes["category"]]
    assert shown["priority"].startswith(words["priority"][int(codes["priority"][1]) - 1]), shown
    assert codes["priority"] in shown["priority"]  # the P-code stays beside the word
    assert words["dt"] in card.find_element(By.CSS_SELECTOR, "dt").text
    pending = driver.find_elements(By.CSS_SELECTOR, ".card.pending")[-1]
    assert pending.get_attribute("data-tool") == pending_tool
    assert card_words(pending)["action"] == words["tool"][pending_tool]
    text = driver.execute_script(PAGE_TEXT)
    assert not CODE.search(text), CODE.search(text)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_ticket_and_pending_cards_name_things_in_words(live: str, language: str) -> None:
    create, escalate = ASK[language]
    with chromium(lang="zh-CN" if language == "zh" else "en-US") as driver:
        open_page(driver, live + "/")
        pick_identity(driver, f"words-{language}-{uuid.uuid4().hex[:6]}")
        ticket_id = ticket_card(say(driver, create))["ticket_id"]
        asked = say(driver, escalate.format(ticket_id))
        assert asked.get_attribute("data-status") == "NEED_CONFIRMATION"
        pending_card(asked)
        assert_card_words(driver, language, ticket_id, "escalate_ticket")
        screenshot(driver, f"chat-words-{language}")
        switch_language(driver, OTHER[language])  # the cards already shown follow the switch
        assert_card_words(driver, OTHER[language], ticket_id, "escalate_ticket")
        screenshot(driver, f"chat-words-{language}-switched")


def test_a_draft_names_its_missing_fields_in_words(live: str) -> None:
    with chromium(lang="zh-CN") as driver:
        open_page(driver, live + "/")
        pick_identity(driver, f"draft-{uuid.uuid4().hex[:6]}")
        card = say(driver, "帮我提个工单").find_element(By.CSS_SELECTOR, ".card.draft")
        missing = card.find_element(By.CSS_SELECTOR, 'dd[data-field="missing"] [data-codes]').get_attribute("data-codes")
        assert missing and set(missing.split(",")) <= set(REQUIRED_FIELDS)
        zh = {"title": "标题", "description": "问题描述", "category": "类别"}
        assert card_words(card)["missing"] == "、".join(zh[f] for f in missing.split(","))
        assert card_words(card)["status"] == "填写中"
        switch_language(driver, "en")
        en = {"title": "Title", "description": "Description", "category": "Category"}
        assert card_words(card)["missing"] == ", ".join(en[f] for f in missing.split(","))


def queue_words(driver: WebDriver) -> list[list[str]]:
    return list(driver.execute_script(
        "return [...document.querySelectorAll('.queue-row')].map((r) => [...r.cells].map((c) => c.innerText))"))


def first_row(driver: WebDriver, *, status: str) -> list[str] | None:
    """The queue's first row once its status reads `status`."""
    rows = queue_words(driver)
    return rows[0] if rows and rows[0][2] == status else None


def created_event(driver: WebDriver, *, event: str) -> bool:
    """The audit trail's TICKET_CREATED row reads `event`."""
    return bool(driver.execute_script(  # read in one go: the view is re-rendered on a language switch
        "const cell = document.querySelector('#audit tr[data-event=TICKET_CREATED] td:nth-child(3)');"
        "return cell && cell.innerText === arguments[0]", event))


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "phone"])
def test_the_console_shows_words_in_the_queue_and_the_audit_trail(live: str, mobile: bool) -> None:
    dept = f"W{uuid.uuid4().hex[:6]}"
    ticket = httpx.post(f"{live}/agent", json={"message": "My VPN is broken, please open a ticket"},
                        headers=who(department=dept)).json()["ticket"]
    with chromium(lang="zh-CN", mobile=mobile) as driver:
        open_page(driver, live + "/console")
        pick_identity(driver, f"agent-{dept}", role="agent", department=dept)
        for language in ("zh", "en"):
            words = WORDS[language]
            row = wait_for(driver, partial(first_row, status=words["status"]["OPEN"]), what=f"{language} queue")
            assert row[3].startswith(words["priority"][int(ticket["priority"][1]) - 1])
            if not mobile:  # a phone hides the category column
                assert row[4] == words["category"][ticket["category"]]
            options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#f-status option, #f-category option")]
            assert words["status"]["OPEN"] in options and "OPEN" not in options and "network" not in options
            driver.execute_script("document.querySelector('.queue-row').click()")  # the row now, not a replaced one
            wait_for(driver, partial(created_event, event=words["event"]["TICKET_CREATED"]), what="audit trail in words")
            text = driver.execute_script(PAGE_TEXT)
            assert not CODE.search(text), CODE.search(text)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1
            driver.execute_script("document.getElementById('audit').scrollIntoView({block: 'center'})")
            screenshot(driver, f"console-words-{language}{'-phone' if mobile else ''}")
            if language == "zh":
                switch_language(driver, "en")
