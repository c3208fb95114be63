"""What the browser tests do on the pages: open one, pick an identity, chat, read cards and lists."""

from __future__ import annotations

import re

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from tests.browser.driver import wait_for
from tests.server.helpers import who

TICKET_ID = re.compile(r"^TCK-\d{4}-[A-Z0-9]{6}$")


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), what="page ready")


def pick_identity(driver: WebDriver, user: str, *, role: str = "requester", department: str = "IT") -> None:
    """Pick a dev identity with the page's own picker."""
    for field, value in (("who-user", user), ("who-dept", department)):
        box = driver.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    Select(driver.find_element(By.ID, "who-role")).select_by_value(role)
    driver.find_element(By.ID, "who-apply").click()
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.ready === 'true'"),
             what="identity applied")  # the page wipes the conversation when it lands


def assistants(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, ".msg.assistant[data-status]")


def say(driver: WebDriver, text: str) -> WebElement:
    """Type a message, press Enter, and wait for the streamed turn's answer (its result arrived)."""
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.ready === 'true'"),
             what="page ready to send")  # not while an identity switch is landing
    before = len(assistants(driver))
    box = driver.find_element(By.ID, "message")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    answers = wait_for(driver, lambda d: len(assistants(d)) > before and assistants(d), what=f"answer to {text!r}")
    return answers[-1]


def card_facts(card: WebElement) -> dict[str, str]:
    """A card's facts: the API code behind a value shown in words (data-code), else the text shown."""
    return dict(card.parent.execute_script("""
      return [...arguments[0].querySelectorAll('dd')].map((dd) => {
        const coded = dd.querySelector('[data-code]');
        return [dd.dataset.field, coded ? coded.dataset.code : dd.innerText];
      });""", card))


def card_words(card: WebElement) -> dict[str, str]:
    """A card's facts as people read them."""
    return {dd.get_attribute("data-field") or "": dd.text for dd in card.find_elements(By.CSS_SELECTOR, "dd")}


def ticket_card(answer: WebElement) -> dict[str, str]:
    card = answer.find_element(By.CSS_SELECTOR, ".card.ticket")
    return {"ticket_id": card.get_attribute("data-ticket-id") or "", "status": card.get_attribute("data-status") or "",
            **card_facts(card)}


def pending_card(answer: WebElement) -> WebElement:
    return answer.find_element(By.CSS_SELECTOR, ".card.pending")


def thread_ids(driver: WebDriver) -> list[str]:
    return list(driver.execute_script(  # read in one go: the list is re-rendered as threads change
        "return [...document.querySelectorAll('.thread-item')].map((b) => b.dataset.threadId)"))


def api_threads(url: str, user: str) -> list[str]:
    return [t["thread_id"] for t in httpx.get(f"{url}/threads", headers=who(user)).json()]


def queue_ids(driver: WebDriver) -> list[str]:
    return list(driver.execute_script(
        "return [...document.querySelectorAll('.queue-row')].map((r) => r.dataset.ticketId)"))
