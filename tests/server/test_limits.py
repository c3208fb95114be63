"""Abuse limits over HTTP across two `helpdesk serve` processes on one database: one per-user
turn bucket and one daily creation cap for both, 429 QUOTA_EXCEEDED with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.faults.helpers import Replica, post, replicas, rows
from tests.server.helpers import who

pytestmark = pytest.mark.slow
RATE, BURST = 1.0, 4


@pytest.fixture(scope="module")
def pair(db_url: str) -> Iterator[tuple[Replica, Replica]]:
    env = {"HELPDESK_TURN_RATE": str(RATE), "HELPDESK_TURN_BURST": str(BURST),
           "HELPDESK_TICKETS_PER_DAY": "2", "HELPDESK_DRAFTS_PER_DAY": "1"}
    with replicas(db_url, **env) as make:
        yield make().start(), make().start()


def _quota(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "QUOTA_EXCEEDED" and r.json()["error"]["retryable"]
    assert int(r.headers["retry-after"]) >= 1


def test_one_turn_bucket_for_both_replicas(pair: tuple[Replica, Replica]) -> None:
    user = who()
    started = time.monotonic()
    answers = [post(pair[i % 2].url, "/agent", {"message": "hi"}, user) for i in range(BURST * 3)]
    elapsed = time.monotonic() - started
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) <= BURST + int(elapsed * RATE) + 1, (len(ok), elapsed)
    assert len(ok) >= BURST
    refused = [r for r in answers if r.status_code != 200]
    assert refused, "nothing was rate limited"
    for r in refused:
        _quota(r)
    assert post(pair[0].url, "/agent", {"message": "hi"}, who()).status_code == 200  # per user
    time.sleep(float(refused[-1].headers["retry-after"]))
    assert post(pair[1].url, "/agent", {"message": "hi"}, user).status_code == 200  # refilled


def test_daily_ticket_and_draft_caps_span_replicas(pair: tuple[Replica, Replica],
                                                   db_url: str) -> None:
    user = who()
    made = [post(pair[i % 2].url, "/agent", {"message": f"我的VPN连不上了，帮我提个工单 {i}"}, user)
            for i in range(2)]
    assert all(r.json()["status"] == "OK" for r in made), [r.text for r in made]
    third = post(pair[0].url, "/agent", {"message": "打印机坏了，帮我提个工单"}, user)
    _quota(third)
    assert int(third.headers["retry-after"]) > 3600  # a day's cap frees up in hours
    count = rows(db_url, "SELECT count(*) FROM tickets WHERE requester_id = %s", user["X-User-Id"])
    assert count == [(2,)]
    drafter = who()
    first = post(pair[1].url, "/agent", {"message": "I need to open a ticket"}, drafter)
    assert first.json()["status"] == "NEED_MORE_INFO" and first.json()["draft"], first.text
    _quota(post(pair[0].url, "/agent", {"message": "I need to open a ticket"}, drafter))
