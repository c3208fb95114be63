"""The chat page, the agent console and the docs in a real chromium against a live `helpdesk serve`.

Assertions are on structure (cards, statuses, ids, counts), never on reply wording.
"""

from __future__ import annotations

import json
import shutil
import uuid
from urllib.parse import urlparse

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.browser.driver import chromium, require_chromium, screenshot, wait_for
from tests.browser.pages import (
    TICKET_ID,
    api_threads,
    assistants,
    open_page,
    pending_card,
    pick_identity,
    queue_ids,
    say,
    thread_ids,
    ticket_card,
)
from tests.server.helpers import bearer, who
from tests.server.live import data_dir, serving

pytestmark = pytest.mark.slow


def test_a_chinese_conversation_streams_and_shows_a_ticket(live: str) -> None:
    user = f"zh-{uuid.uuid4().hex[:6]}"
    with chromium(lang="zh-CN") as driver:
        open_page(driver, live + "/")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
        assert driver.find_element(By.ID, "send").text == "发送"
        pick_identity(driver, user)
        answer = say(driver, "我的VPN连不上了，帮我提个工单")
        assert int(answer.get_attribute("data-tokens") or 0) >= 1  # text came as token events
        assert int(answer.get_attribute("data-steps") or 0) >= 3  # node steps came as they finished
        assert answer.find_element(By.CSS_SELECTOR, ".text").text.strip()
        card = ticket_card(answer)
        assert TICKET_ID.match(card["ticket_id"]) and card["status"] == "OPEN"
        assert card["priority"] in ("P1", "P2", "P3", "P4") and card["category"]
        assert wait_for(driver, lambda d: thread_ids(d), what="sidebar") == api_threads(live, user)
        screenshot(driver, "chat-zh")
    owned = httpx.get(f"{live}/tickets/{card['ticket_id']}", headers=who(user))
    assert owned.status_code == 200 and owned.json()["requester_id"] == user


def test_an_english_conversation_with_a_cited_article(live: str) -> None:
    with chromium(lang="en-US") as driver:
        open_page(driver, live + "/")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert driver.find_element(By.ID, "send").text == "Send"
        pick_identity(driver, f"en-{uuid.uuid4().hex[:6]}")
        answer = say(driver, "My VPN is broken, please open a ticket")
        assert TICKET_ID.match(ticket_card(answer)["ticket_id"])
        answer = say(driver, "How do I set up the VPN on my laptop?")
        link = answer.find_element(By.CSS_SELECTOR, "a.citation")
        doc_id = link.get_attribute("data-doc-id")
        assert link.get_attribute("href").endswith(f"/kb/documents/{doc_id}")
        link.click()
        wait_for(driver, lambda d: d.find_element(By.ID, "article").get_attribute("open") is not None
                 and d.find_element(By.ID, "article-body").text.strip(), what="article dialog")
        article = httpx.get(f"{live}/kb/documents/{doc_id}", headers=who()).json()
        assert driver.find_element(By.ID, "article-title").text == article["title"]
        screenshot(driver, "chat-en-article")
        driver.find_element(By.CSS_SELECTOR, "#article .close").click()
        Select(driver.find_element(By.ID, "lang")).select_by_value("zh")  # switchable
        wait_for(driver, lambda d: d.find_element(By.ID, "send").text == "发送", what="switched to zh")
        box = driver.find_element(By.ID, "message")
        box.send_keys("line one")
        box.send_keys(Keys.SHIFT, Keys.ENTER)  # Shift+Enter is a new line, not a send
        box.send_keys("line two")
        assert box.get_attribute("value") == "line one\nline two"
        assert len(assistants(driver)) == 2


def test_escalation_confirmed_with_the_button_and_one_declined(live: str) -> None:
    user = f"esc-{uuid.uuid4().hex[:6]}"
    with chromium() as driver:
        open_page(driver, live + "/")
        pick_identity(driver, user)
        ticket_id = ticket_card(say(driver, "My VPN is broken, please open a ticket"))["ticket_id"]
        asked = say(driver, f"please escalate {ticket_id}")
        assert asked.get_attribute("data-status") == "NEED_CONFIRMATION"
        screenshot(driver, "chat-pending")
        before = len(assistants(driver))
        pending_card(asked).find_element(By.CSS_SELECTOR, "button.confirm").click()
        done = wait_for(driver, lambda d: len(assistants(d)) > before and assistants(d)[-1], what="confirmed")
        assert done.get_attribute("data-status") == "OK"
        assert ticket_card(done)["escalation"] == "1"
        assert pending_card(asked).find_element(By.CSS_SELECTOR, "button.confirm").get_attribute("disabled")
        asked = say(driver, f"please escalate {ticket_id}")
        before = len(assistants(driver))
        pending_card(asked).find_element(By.CSS_SELECTOR, "button.keep").click()
        kept = wait_for(driver, lambda d: len(assistants(d)) > before and assistants(d)[-1], what="declined")
        assert kept.get_attribute("data-status") == "CANCELLED"
        screenshot(driver, "chat-escalation")
    ticket = httpx.get(f"{live}/tickets/{ticket_id}", headers=who(user)).json()
    assert ticket["escalation_level"] == 1


def test_sidebar_reopens_threads_and_follows_the_dev_identity(live: str) -> None:
    alice, bob = f"alice-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"
    with chromium() as driver:
        open_page(driver, live + "/")
        pick_identity(driver, alice)
        ticket_id = ticket_card(say(driver, "My VPN is broken, please open a ticket"))["ticket_id"]
        first = api_threads(live, alice)[0]
        driver.find_element(By.ID, "new-thread").click()
        assert not driver.find_elements(By.CSS_SELECTOR, ".msg")
        say(driver, f"please escalate {ticket_id}")  # left waiting: an interrupted thread
        pick_identity(driver, bob)
        wait_for(driver, lambda d: not thread_ids(d), what="bob sees none of alice's threads")
        say(driver, "hello")
        assert wait_for(driver, lambda d: thread_ids(d) == api_threads(live, bob) and thread_ids(d),
                        what="bob's threads") and len(thread_ids(driver)) == 1
        screenshot(driver, "chat-bob")
        pick_identity(driver, alice)
        ids = wait_for(driver, lambda d: len(thread_ids(d)) == 2 and thread_ids(d), what="alice's threads")
        assert ids == api_threads(live, alice)
        marked = driver.find_elements(By.CSS_SELECTOR, ".thread-item[data-status=interrupted] .badge.interrupted")
        assert len(marked) == 1
        driver.find_element(By.CSS_SELECTOR, f'.thread-item[data-thread-id="{first}"]').click()
        wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg")) == 2, what="restored transcript")
        assert "VPN" in driver.find_element(By.CSS_SELECTOR, ".msg.user .text").text
        assert driver.find_element(By.CSS_SELECTOR, ".msg .card.ticket").get_attribute("data-ticket-id") == ticket_id
        driver.find_element(By.CSS_SELECTOR, ".thread-item[data-status=interrupted]").click()
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".card.pending button.confirm"), what="pending card")
        screenshot(driver, "chat-reopened")


def test_a_dropped_stream_reconnects_and_runs_the_turn_once(live: str) -> None:
    user = f"drop-{uuid.uuid4().hex[:6]}"
    with chromium() as driver:
        open_page(driver, live + "/")
        pick_identity(driver, user)
        # The first stream's connection breaks after its first bytes, as a flaky network would.
        driver.execute_script("""
          const real = window.fetch; let cut = false;
          window.fetch = async (...args) => {
            const response = await real(...args);
            if (cut || !String(args[0]).includes('/agent/stream')) return response;
            cut = true;
            const reader = response.body.getReader();
            const { value } = await reader.read();
            const body = new ReadableStream({ start(c) { c.enqueue(value); c.error(new TypeError('network')); } });
            return new Response(body, { status: response.status, headers: response.headers });
          };""")
        answer = say(driver, "My VPN is broken, please open a ticket")
        assert TICKET_ID.match(ticket_card(answer)["ticket_id"])
        assert driver.find_element(By.ID, "error").get_attribute("hidden") is not None
    mine = httpx.get(f"{live}/tickets", headers=who(user)).json()
    assert len(mine) == 1  # the same action_id again: replayed, not run twice


def test_the_error_line_shows_the_apis_message(live: str) -> None:
    with chromium() as driver:
        open_page(driver, live + "/")
        pick_identity(driver, "has space")  # not a valid user id: the API says why
        error = wait_for(driver, lambda d: d.find_element(By.ID, "error").text, what="error line")
        assert "X-User-Id" in error


def test_the_console_lists_the_queue_and_resolves_a_ticket(live: str) -> None:
    dept = f"D{uuid.uuid4().hex[:6]}"
    requester = who(department=dept)
    made = [httpx.post(f"{live}/agent", json={"message": "My VPN is broken, please open a ticket"},
                       headers=requester).json()["ticket"]["ticket_id"] for _ in range(2)]
    httpx.post(f"{live}/agent", json={"message": "My VPN is broken, please open a ticket"}, headers=who(department="Other"))
    with chromium() as driver:
        open_page(driver, live + "/console")
        pick_identity(driver, f"agent-{dept}", role="agent", department=dept)
        rows = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".queue-row"), what="queue")
        assert [r.get_attribute("data-ticket-id") for r in rows] == made[::-1]  # newest first, own department only
        rows[0].click()
        view = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'#ticket-view[data-ticket-id="{made[1]}"]'),
                        what="ticket view")[0]
        assert view.find_element(By.CSS_SELECTOR, "#transcript .line.user")
        assert view.find_element(By.CSS_SELECTOR, '#audit tr[data-event="TICKET_CREATED"]')
        screenshot(driver, "console-ticket")
        driver.find_element(By.ID, "do-resolve").click()
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#ticket-view[data-status="RESOLVED"]'), what="resolved")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#audit tr[data-event="TICKET_UPDATED"]'), what="audited")
        driver.find_element(By.ID, "do-escalate").get_attribute("disabled")
        Select(driver.find_element(By.ID, "f-status")).select_by_value("OPEN")
        driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        wait_for(driver, lambda d: queue_ids(d) == [made[0]], what="filtered queue")
        screenshot(driver, "console-queue")
    ticket = httpx.get(f"{live}/tickets/{made[1]}", headers=requester).json()
    assert ticket["status"] == "RESOLVED"


def test_the_console_escalates_only_after_confirmation(live: str) -> None:
    dept = f"E{uuid.uuid4().hex[:6]}"
    ticket_id = httpx.post(f"{live}/agent", json={"message": "My VPN is broken, please open a ticket"},
                           headers=who(department=dept)).json()["ticket"]["ticket_id"]
    with chromium() as driver:
        open_page(driver, live + "/console")
        pick_identity(driver, f"agent-{dept}", role="agent", department=dept)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".queue-row"), what="queue")[0].click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "do-escalate"), what="view")[0].click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "confirm-box"), what="confirm step")
        screenshot(driver, "console-confirm")
        assert httpx.get(f"{live}/tickets/{ticket_id}", headers=who(role="admin")).json()["escalation_level"] == 0
        driver.find_element(By.ID, "confirm-no").click()
        wait_for(driver, lambda d: not d.find_elements(By.ID, "confirm-box"), what="declined")
        driver.find_element(By.ID, "do-escalate").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "confirm-yes"), what="confirm step")[0].click()
        wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, 'dd[data-field="escalation"]').text == "1", what="escalated")
    assert httpx.get(f"{live}/tickets/{ticket_id}", headers=who(role="admin")).json()["escalation_level"] == 1


def test_the_console_refuses_a_requester(live: str) -> None:
    with chromium(lang="zh-CN") as driver:
        open_page(driver, live + "/console")
        pick_identity(driver, f"req-{uuid.uuid4().hex[:6]}", role="requester")
        # the refusal of this identity's queue: the page's first load (default identity) was refused too
        wait_for(driver, lambda d: d.find_elements(By.ID, "refused") and d.find_element(By.ID, "error").text,
                 what="refusal")
        assert not driver.find_elements(By.CSS_SELECTOR, ".queue-row")
        assert driver.find_element(By.ID, "error").text  # the API's own 403 message
        screenshot(driver, "console-refused")


def test_the_chat_page_fits_a_phone(live: str) -> None:
    with chromium(mobile=True) as driver:
        open_page(driver, live + "/")
        pick_identity(driver, f"phone-{uuid.uuid4().hex[:6]}")
        ticket_id = ticket_card(say(driver, "My VPN is broken, please open a ticket"))["ticket_id"]
        card = pending_card(say(driver, f"please escalate {ticket_id}"))  # the widest card, words and buttons
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        for node in driver.find_elements(By.CSS_SELECTOR, "textarea, select, input, button"):
            labelled = driver.execute_script(
                "const n = arguments[0]; return Boolean(n.labels && n.labels.length || n.getAttribute('aria-label') || n.textContent.trim())", node)
            assert labelled, node.get_attribute("outerHTML")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
        screenshot(driver, "chat-phone")


def test_jwt_mode_asks_for_a_token_and_uses_it(db_url: str) -> None:
    require_chromium()
    data, secret = data_dir(), "browser-test-secret-of-at-least-32-bytes"
    with serving(data=data, database_url=db_url, AUTH_JWT_SECRET=secret) as (url, _proc), chromium() as driver:
        open_page(driver, url + "/")
        token_field = wait_for(driver, lambda d: d.find_elements(By.ID, "who-token"), what="token field")[0]
        assert not driver.find_elements(By.ID, "who-user")  # no dev picker when a secret is set
        assert driver.find_element(By.ID, "error").text  # the API's 401 message
        token = bearer(secret, "jwt-user", department="IT")["Authorization"].removeprefix("Bearer ")
        token_field.send_keys(token, Keys.ENTER)
        who_am_i = wait_for(driver, lambda d: d.find_elements(By.ID, "who-am-i"), what="signed in")[0]
        assert "jwt-user" in who_am_i.text
        answer = say(driver, "My VPN is broken, please open a ticket")
        ticket_id = ticket_card(answer)["ticket_id"]
        screenshot(driver, "chat-jwt")
    shutil.rmtree(data, ignore_errors=True)
    assert TICKET_ID.match(ticket_id)


def _requested_hosts(driver: WebDriver) -> set[str]:
    """Hosts the page sent requests to (requests the page's CSP blocked never left the browser)."""
    sent: dict[str, str] = {}
    blocked: set[str] = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            url = urlparse(params["request"]["url"])
            if url.scheme in ("http", "https", "ws", "wss"):  # not chrome:// or data: URLs
                sent[params["requestId"]] = url.hostname or ""
        elif message.get("method") == "Network.loadingFailed" and params.get("blockedReason") == "csp":
            blocked.add(params["requestId"])
    return {host for rid, host in sent.items() if rid not in blocked}


@pytest.mark.parametrize("page, rendered", [("/docs", ".opblock"), ("/redoc", "[role=menuitem], li[data-item-id]")])
def test_docs_render_with_the_network_disabled(live: str, page: str, rendered: str) -> None:
    with chromium(offline=True) as driver:
        _open_plain(driver, live + page)
        items = wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, rendered)) > 10
                         and d.find_elements(By.CSS_SELECTOR, rendered), what=f"{page} operations")
        assert len(items) > 10
        hosts = _requested_hosts(driver)
        assert hosts == {"127.0.0.1"}, hosts  # everything came from our server
        screenshot(driver, f"docs{page.replace('/', '-')}")


def _open_plain(driver: WebDriver, url: str) -> None:
    driver.get(url)
