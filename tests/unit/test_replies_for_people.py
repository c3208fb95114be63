"""Replies are written for people: every text rendered with realistic data, in both languages.

No internal tool name, status code, priority code or category code in any reply; every refusal
says why in words and what can be done instead; counts are proper plurals.
"""

import re
import string
from itertools import product
from pathlib import Path
from typing import Any, get_args

import pytest

from graph.result import Status
from tools.domain import CATEGORIES, PRIORITIES, AuditEventType, DraftStatus, PendingStatus, TicketStatus
from tools.refusals import INSTEAD, allowed_statuses, alternative, refusal
from tools.registry import TICKET_TOOLS
from tools.replies import (
    LANGS,
    changes_text,
    confirm_prompt,
    decline_word,
    declined,
    field_list,
    fill,
    in_words,
    say,
    texts,
    ticket_list,
    word,
)

ROOT = Path(__file__).resolve().parents[2]
TOOLS = list(TICKET_TOOLS)
CONFIRMED = [name for name, t in TICKET_TOOLS.items() if t.needs_confirmation]
STATUS_CODES = [s.value for s in TicketStatus]
# internal names that must never reach a person: tools, statuses, priorities, and the enums
def whole_words(names: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")


CODES = whole_words([*TOOLS, *STATUS_CODES, *PRIORITIES, *(s.value for s in DraftStatus),
                     *(s.value for s in PendingStatus)])
ZH_CODES = whole_words(list(CATEGORIES))  # English category codes in a Chinese reply


def ticket(status: str = "IN_PROGRESS", **over: Any) -> dict[str, Any]:
    """A ticket as TicketRow.public() gives it."""
    return {"ticket_id": "TCK-2026-AB12CD", "title": "VPN 连不上 / VPN drops", "description": "…",
            "category": "network", "priority": "P2", "status": status, "escalation_level": 1,
            "requester_id": "u1", "department": "IT", "version": 3, "comments": [], **over}


def leaks(text: str, lang: str) -> list[str]:
    found = CODES.findall(text)
    if lang == "zh":
        found += ZH_CODES.findall(text)
    return found + (["ticket(s)"] if "(s)" in text else [])


def realistic(template: str, status: str, tool: str) -> dict[str, Any]:
    """Values for every placeholder of `template`, as the code passes them."""
    values = {**ticket(status), "tool": tool, "target": "TCK-2026-AB12CD", "minutes": 10,
              "draft_id": "DRF-2026-EF34GH", "missing": field_list(["category", "priority"], "zh"),
              "changes": "…", "reason": "…", "items": "…", "tickets": "…", "why": "…",
              "instead": "…", "field": "…", "choices": "…", "value": "…", "doc_id": "vpn-errors-en",
              "section": "…", "n": 2, "level": 3, "max_chars": 2000,
              "first": "…", "second": "…", "prompt": "…", "talk": "…"}  # dialogue (#14 NLU)
    # the parts refusal() fills itself (tested through refusal() below)
    values |= dict.fromkeys(("ticket", "draft", "allowed", "roles", "verb", "action", "action_phrase",
                             "actions", "categories", "priorities"), "…")
    names = {n for _, n, _, _ in string.Formatter().parse(template) if n}
    # a placeholder filled by code elsewhere (a sentence built of other texts) stands in as "…"
    return values | {n: "…" for n in names - set(in_words(values, "en"))}


def every_text() -> list[tuple[str, str, str]]:
    """(lang, section, key) of every text in the data files."""
    return [(lang, part, key) for lang in LANGS for part, entries in texts()[lang].items()
            for key in entries]


@pytest.mark.parametrize(("lang", "part", "key"), every_text())
def test_no_text_leaks_an_internal_name_whatever_the_status_or_tool(lang: str, part: str,
                                                                    key: str) -> None:
    template = texts()[lang][part][key]
    for status, tool in product(STATUS_CODES, TOOLS):
        text = fill(template, lang, **realistic(template, status, tool))
        assert not leaks(text, lang), (part, key, status, tool, text)


@pytest.mark.parametrize(("lang", "status"), product(LANGS, STATUS_CODES))
def test_a_ticket_is_described_in_words(lang: str, status: str) -> None:
    shown = say("get_ticket", lang, **ticket(status))
    assert word("statuses", status, lang) in shown and not leaks(shown, lang)
    assert word("priorities", "P2", lang) in shown and word("categories", "network", lang) in shown
    created = say("ticket_created", lang, **ticket(status, priority="P1"))
    assert word("priorities", "P1", lang) in created and not leaks(created, lang)


@pytest.mark.parametrize(("lang", "n", "counted"), [
    ("en", 1, "You have 1 ticket:"), ("en", 6, "You have 6 tickets:"),
    ("zh", 1, "你有 1 张工单："), ("zh", 6, "你有 6 张工单："),
])
def test_lists_count_properly(lang: str, n: int, counted: str) -> None:
    listed = ticket_list([ticket(s) for s in (STATUS_CODES * 2)[:n]], lang)
    assert listed.startswith(counted) and not leaks(listed, lang), listed
    assert "ticket(s)" not in listed and word("statuses", STATUS_CODES[0], lang) in listed


@pytest.mark.parametrize("lang", LANGS)
def test_changes_are_named_in_words(lang: str) -> None:
    text = changes_text({"priority": "P1", "category": "hardware", "title": "Dock"}, lang)
    assert word("priorities", "P1", lang) in text and word("categories", "hardware", lang) in text
    assert word("fields", "priority", lang) in text and "=" not in text and not leaks(text, lang)


@pytest.mark.parametrize(("tool", "lang"), product(CONFIRMED, LANGS))
def test_confirm_prompts_name_the_action_and_words_that_cannot_collide(tool: str, lang: str) -> None:
    prompt = confirm_prompt(tool, "TCK-2026-AB12CD", 10, lang)
    verb, no = word("tools", tool, lang), decline_word(tool, lang)
    assert verb in prompt and "TCK-2026-AB12CD" in prompt and not leaks(prompt, lang)
    assert f"{word('answers', 'confirm', lang)}" in prompt and no in prompt
    assert verb not in no, "the decline word must not contain the action's own word"


def test_the_agreed_confirm_and_decline_words() -> None:
    assert [decline_word("cancel_ticket", lang) for lang in LANGS] == ["保留", "keep it"]
    assert [decline_word("escalate_ticket", lang) for lang in LANGS] == ["不用了", "no"]
    assert "要把工单 TCK-2026-AB12CD 升级吗？回复「确认」升级，回复「不用了」不做更改" in confirm_prompt(
        "escalate_ticket", "TCK-2026-AB12CD", 10, "zh")
    assert "回复「保留」" in confirm_prompt("cancel_ticket", "TCK-2026-AB12CD", 10, "zh")


@pytest.mark.parametrize(("tool", "lang"), product([*CONFIRMED, None], LANGS))
def test_a_declined_action_says_what_did_not_happen(tool: str | None, lang: str) -> None:
    text = declined(tool, "TCK-2026-AB12CD" if tool else None, lang)
    assert not leaks(text, lang)
    if tool:
        assert "TCK-2026-AB12CD" in text
    if tool == "cancel_ticket":
        assert ("保留" if lang == "zh" else "keeping") in text, text
    assert "已取消该操作" not in text and "OK, cancelled" not in text  # nothing was cancelled


# --- refusals ---------------------------------------------------------------------------------

_REASON_LINE = re.compile(r'(rejection|rejected)\(|reason=|return .*"[A-Z_]+"|_PLAN_REASON|'
                          r'DraftOutcome\("REJECTED"')
_NOT_REASONS = {*(e.value for e in AuditEventType), *get_args(Status), *STATUS_CODES, *(s.value for s in DraftStatus),
                *(s.value for s in PendingStatus), "PASS"}


def reason_codes() -> set[str]:
    """Every reason code a REJECTED outcome can carry, read from the code that produces them."""
    found: set[str] = set()
    for path in [*ROOT.glob("nodes/*.py"), *ROOT.glob("tools/handlers/*.py"), ROOT / "tools/registry.py"]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if _REASON_LINE.search(line):
                found |= set(re.findall(r'"([A-Z][A-Z_]{2,})"', line))
    return found - _NOT_REASONS


def test_the_reason_scan_finds_the_known_codes() -> None:
    assert {"TICKET_NOT_FOUND", "INVALID_TRANSITION", "FORBIDDEN", "MAX_ESCALATION", "CONFLICT",
            "NOTHING_TO_CONFIRM", "DRAFT_NOT_ACTIVE", "INVALID_ARGS"} <= reason_codes()


@pytest.mark.parametrize(("reason", "lang"), product(sorted(reason_codes()), LANGS))
def test_every_reason_has_its_own_words_and_a_way_forward(reason: str, lang: str) -> None:
    lines = texts()[lang]["refusals"]
    assert reason in lines, f"no refusal text for {reason}"
    for tool, status in product([*TOOLS, None], STATUS_CODES):
        text = refusal(reason, lang, tool=tool, ticket_id="TCK-2026-AB12CD", status=status,
                       draft_id="DRF-2026-EF34GH")
        assert not leaks(text, lang) and reason not in text, text
        assert text != refusal("SOMETHING_ELSE", lang), f"{reason} fell back to the generic text"
        assert len(re.findall(r"[。？！.?!]", text)) >= 2 or reason == "INVALID_ARGS", text


def refused(tool: str) -> list[str]:
    """The statuses on which the registry refuses `tool`."""
    return [s for s in STATUS_CODES if TicketStatus(s) not in allowed_statuses(TICKET_TOOLS[tool])]


@pytest.mark.parametrize(("tool", "status", "lang"),
                         [(t, s, lang) for t in TOOLS for s in refused(t) for lang in LANGS])
def test_a_status_refusal_says_which_status_why_and_what_instead(tool: str, status: str,
                                                                 lang: str) -> None:
    text = refusal("INVALID_TRANSITION", lang, tool=tool, ticket_id="TCK-2026-AB12CD", status=status)
    assert "TCK-2026-AB12CD" in text and word("statuses", status, lang) in text, text
    if TICKET_TOOLS[tool].target_status != status:  # not "already closed": the allowed ones are named
        for allowed in allowed_statuses(TICKET_TOOLS[tool]):
            assert word("statuses", allowed, lang) in text, text
    if alt := alternative(tool, status):
        assert status in allowed_statuses(TICKET_TOOLS[alt])
        assert word("tools", alt, lang) in text, text
    assert not leaks(text, lang)


def test_the_issue_example_close_an_open_ticket() -> None:
    assert refusal("INVALID_TRANSITION", "en", tool="close_ticket", ticket_id="TCK-2026-AB12CD",
                   status="OPEN") == ("TCK-2026-AB12CD is open; only resolved tickets can be closed. "
                                      "Do you want to cancel it instead?")
    assert refusal("INVALID_TRANSITION", "zh", tool="close_ticket", ticket_id="TCK-2026-AB12CD",
                   status="IN_PROGRESS") == ("工单 TCK-2026-AB12CD 目前处理中，只有已解决的工单才能关闭。"
                                             "要改为取消吗？")


def test_alternatives_are_registered_tools() -> None:
    assert set(INSTEAD) | {a for alts in INSTEAD.values() for a in alts} <= set(TICKET_TOOLS)


@pytest.mark.parametrize("lang", LANGS)
def test_forbidden_names_who_may(lang: str) -> None:
    text = refusal("FORBIDDEN", lang, tool="resolve_ticket", ticket_id="TCK-2026-AB12CD", status="OPEN")
    assert word("roles", "agent", lang) in text and word("tools", "resolve_ticket", lang) in text
    assert word("tools", "cancel_ticket", lang) in text  # the way forward a requester has
