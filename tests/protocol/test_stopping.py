"""Stopping a RUNNING run (multitask interrupt/rollback, cancel, on_disconnect=cancel), run rows
seen by another process while a run is running, and chat-model events in the events stream.

The server plans with a model (hybrid mode) on the fake OpenAI server, which answers after a
delay: a run is really inside a node when the interrupt or the cancel arrives, and stops at the
next node boundary (no node that commits rows has run by then).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import aclosing
from typing import Any

import httpx
import psycopg
import pytest
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.client import LangGraphClient

from tests.llm import script
from tests.llm.fake_openai import FakeOpenAI
from tests.protocol.conftest import headers, human
from tests.server.live import data_dir, serving

SLOW_S = 1.5


@pytest.fixture(scope="module")
def slow() -> Iterator[dict[str, float]]:
    """The fake model's answer delay (settable per test)."""
    fake, delay = FakeOpenAI().start(), {"s": SLOW_S}
    fake.responder = lambda body: script.delay(delay["s"], script.content("late"))
    delay["port"] = fake.port
    _MODEL.append(fake)
    yield delay
    _MODEL.remove(fake)
    fake.stop()


_MODEL: list[FakeOpenAI] = []  # the slow model of this module, for `_running` to watch


@pytest.fixture(scope="module")
def llm_server(protocol_db: str, slow: dict[str, float]) -> Iterator[str]:
    """A second `helpdesk serve` on the same database, planning with the slow fake model."""
    fake_url = f"http://127.0.0.1:{int(slow['port'])}/v1"
    with serving(data=data_dir(), database_url=protocol_db, HELPDESK_MODE="hybrid", OPENAI_BASE_URL=fake_url,
                 OPENAI_API_KEY="sk-test", OPENAI_MODEL="gpt-test", HELPDESK_LLM_MAX_RETRIES="0") as (url, _):
        yield url


@pytest.fixture(autouse=True)
def _slow_again(slow: dict[str, float]) -> None:
    slow["s"] = SLOW_S


async def _running(client: LangGraphClient, tid: str, run_id: str, asked_before: int) -> None:
    """Wait until the run is running and the slow model has its request: the run is inside a
    node that has checkpointed its input (a fixed sleep was not enough on a loaded CI host)."""
    for _ in range(500):
        if ((await client.runs.get(tid, run_id))["status"] == "running"
                and len(_MODEL[0].chat_requests()) > asked_before):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the run never reached the model")


def _transcript(db: str, tid: str) -> list[str]:
    with psycopg.connect(db) as conn:
        return [c for (c,) in conn.execute("SELECT content FROM thread_messages WHERE thread_id = %s "
                                           "AND role = 'user' ORDER BY id", (tid,)).fetchall()]


def _humans(state: Any) -> list[str]:
    return [m["content"] for m in state["values"].get("messages", []) if m["type"] == "human"]


async def _second_run_stops_the_first(client: LangGraphClient, strategy: Any) -> tuple[str, str, str]:
    """A run made slow by the model, and a second run with `strategy` while it runs:
    (thread, first run, second run), once the second has ended."""
    tid = (await client.threads.create())["thread_id"]
    asked = len(_MODEL[0].chat_requests())
    first = await client.runs.create(tid, "helpdesk", input=human("hello there"))
    await _running(client, tid, first["run_id"], asked)
    second = await client.runs.create(tid, "helpdesk", input=human("second message"), multitask_strategy=strategy)
    await client.runs.join(tid, second["run_id"])
    return tid, first["run_id"], second["run_id"]


async def test_multitask_interrupt_stops_the_running_run(llm_server: str, protocol_db: str) -> None:
    client = get_client(url=llm_server, headers=headers("kim"))
    tid, first_id, second_id = await _second_run_stops_the_first(client, "interrupt")
    assert (await client.runs.get(tid, first_id))["status"] == "interrupted"
    assert (await client.runs.get(tid, second_id))["status"] == "success"
    assert _humans(await client.threads.get_state(tid)) == ["second message"]
    assert _transcript(protocol_db, tid) == ["second message"]  # the first turn never reached its end
    assert len(await client.threads.get_history(tid)) == 2  # interrupt keeps where the first stopped


async def test_multitask_rollback_drops_the_running_run(llm_server: str, protocol_db: str) -> None:
    client = get_client(url=llm_server, headers=headers("kim"))
    tid, first_id, _ = await _second_run_stops_the_first(client, "rollback")
    await asyncio.sleep(0.3)  # the rolled-back run is forgotten once recorded
    with pytest.raises(httpx.HTTPStatusError) as err:
        await client.runs.get(tid, first_id)
    assert err.value.response.status_code == 404
    assert len(await client.threads.get_history(tid)) == 1  # its checkpoint is gone
    assert _humans(await client.threads.get_state(tid)) == ["second message"]
    assert _transcript(protocol_db, tid) == ["second message"]


def test_cancel_a_running_run_sync(llm_server: str) -> None:
    client = get_sync_client(url=llm_server, headers=headers("kim"))
    tid = client.threads.create()["thread_id"]
    asked = len(_MODEL[0].chat_requests())
    run = client.runs.create(tid, "helpdesk", input=human("hello there"))
    asyncio.run(_running(get_client(url=llm_server, headers=headers("kim")), tid, run["run_id"], asked))
    client.runs.cancel(tid, run["run_id"], wait=True, action="interrupt")
    assert client.runs.get(tid, run["run_id"])["status"] == "interrupted"
    assert client.threads.get(tid)["status"] != "busy"
    done = client.runs.wait(tid, "helpdesk", input=human("and now?"), multitask_strategy="reject")
    assert isinstance(done, dict) and done["result"]["status"] == "OK"  # not busy: the lease went back


async def test_disconnect_cancels_when_asked(llm_server: str) -> None:
    client = get_client(url=llm_server, headers=headers("kim"))
    tid = (await client.threads.create())["thread_id"]
    async with aclosing(client.runs.stream(tid, "helpdesk", input=human("hello there"),
                                           on_disconnect="cancel")) as parts:
        async for part in parts:
            run_id = part.data["run_id"]
            break  # the client goes away at the first event
    for _ in range(200):
        status = (await client.runs.get(tid, run_id))["status"]
        if status not in ("pending", "running"):
            break
        await asyncio.sleep(0.05)
    assert status == "interrupted"
    assert (await client.threads.get_state(tid))["values"].get("result") is None


async def test_a_running_run_is_seen_by_another_process(llm_server: str, server: str) -> None:
    here = get_client(url=llm_server, headers=headers("lena"))
    elsewhere = get_client(url=server, headers=headers("lena"))
    tid = (await here.threads.create())["thread_id"]
    streamed = asyncio.create_task(_drain(here, tid))
    for _ in range(200):
        rows = await elsewhere.runs.list(tid)
        if rows:
            break
        await asyncio.sleep(0.02)
    assert [r["status"] for r in rows] == ["running"]
    with pytest.raises(httpx.HTTPStatusError) as err:  # reject sees the run of the other process
        await elsewhere.runs.create(tid, "helpdesk", input=human("hi"), multitask_strategy="reject")
    assert err.value.response.status_code == 409
    await streamed
    for _ in range(100):  # the row's end is written just after the stream's last event
        statuses = [r["status"] for r in await elsewhere.runs.list(tid)]
        if statuses != ["running"]:
            break
        await asyncio.sleep(0.02)
    assert statuses == ["success"]


async def _drain(client: LangGraphClient, tid: str) -> None:
    async for _ in client.runs.stream(tid, "helpdesk", input=human("hello there")):
        pass


async def test_events_carry_chat_model_tokens(llm_server: str, slow: dict[str, float]) -> None:
    slow["s"] = 0.0
    client = get_client(url=llm_server, headers=headers("kim"))
    tid = (await client.threads.create())["thread_id"]
    parts = [p async for p in client.runs.stream(tid, "helpdesk", input=human("how do I reset my VPN password?"),
                                                 stream_mode=["events"])]
    events = [p.data for p in parts if p.event == "events"]
    tokens = [e for e in events if e["event"] == "on_chat_model_stream"]
    assert tokens and "".join(e["data"]["chunk"]["content"] for e in tokens)
    assert {"kb_answer", "finalize"} <= {e["name"] for e in events if e["event"] == "on_chain_end"}
