"""Rules-mode turn latency and checkpoint growth, ours vs a plain add_messages graph.

    .venv/bin/python bench/turns.py [--turns 1000]

Starts its own embedded Postgres in a temp dir and runs on uvloop, like the server. Prints
ms/turn (p50/p95) early in a thread (turns 1-50 of a new one) and late (the last 50 of one
--turns long), timed alternately so that both see the same host, and checkpoint bytes stored per
turn, for:
  helpdesk  - our graph through the Runner (thread lease + graph + audit + transcript), as served
  graph     - the same conversation on the compiled graph alone (ainvoke; no Runner, no lease)
  baseline  - a 5-node StateGraph with a growing `add_messages` list on the stock
              AsyncPostgresSaver (same database, default durability)
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages

from bench.host import host_meter
from checkpoints import embedded
from tests.factories import Stack, actor, open_stack
from tools.db.engine import Database
from tools.db.migrations import migrate
from tools.domain import Actor
from turn.context import Context

_BYTES = """
SELECT (SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM checkpoints c WHERE thread_id = %(t)s)
     + (SELECT coalesce(sum(pg_column_size(b.*)), 0) FROM checkpoint_blobs b WHERE thread_id = %(t)s)
     + (SELECT coalesce(sum(pg_column_size(w.*)), 0) FROM checkpoint_writes w WHERE thread_id = %(t)s)
"""


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values (ms)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stored_bytes(url: str, thread_id: str) -> int:
    """Bytes of checkpoint rows (checkpoints + blobs + writes) one thread has stored."""
    with psycopg.connect(url) as conn:
        row = conn.execute(_BYTES, {"t": thread_id}).fetchone()
        return int(row[0]) if row else 0


def script(ticket_id: str, i: int) -> str:
    """A rotating rules-mode conversation on one ticket (no dangerous actions, no KB)."""
    lines = [f"查看 {ticket_id}", "show my tickets", f"给 {ticket_id} 加个备注：第{i}次跟进",
             "上一单现在什么状态？", "hello", f"what is the status of {ticket_id}?"]
    return lines[i % len(lines)]


WINDOW = 50  # turns timed at each end


async def windows(turn: Callable[[str, str, int], Awaitable[None]], long: tuple[str, str],
                  fresh: tuple[str, str], turns: int) -> dict[str, list[float]]:
    """Times WINDOW early turns and WINDOW late turns, interleaved.

    `long` and `fresh` are (thread, ticket) pairs. `long` is first run to turn turns - WINDOW
    untimed; then `fresh` plays its turns 1..WINDOW and `long` its last WINDOW, one of each in
    turn, so both windows see the same host (on a shared VM its speed drifts within minutes).
    """
    for i in range(turns - WINDOW):
        await turn(*long, i)
    early: list[float] = []
    late: list[float] = []
    for i in range(WINDOW):
        for (thread, ticket), out, k in ((fresh, early, i), (long, late, turns - WINDOW + i)):
            t0 = time.perf_counter()
            await turn(thread, ticket, k)
            out.append((time.perf_counter() - t0) * 1000)
    return {"early": early, "late": late}


async def new_thread(stack: Stack, who: Actor) -> tuple[str, str]:
    """A thread that has opened a ticket to talk about: (thread id, ticket id)."""
    first = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    return first.thread_id, first.ticket["ticket_id"]


async def bench_helpdesk(url: str, turns: int) -> dict[str, Any]:
    """Our graph through the Runner (its per-user turn bucket on, but never empty)."""
    async with open_stack(url, turn_rate=1e6) as stack:
        who = actor()

        async def turn(thread: str, ticket_id: str, i: int) -> None:
            res = await stack.turn(who, script(ticket_id, i), thread_id=thread)
            assert res.status == "OK", res

        long, fresh = await new_thread(stack, who), await new_thread(stack, who)
        before = stored_bytes(url, long[0])
        data: dict[str, Any] = await windows(turn, long, fresh, turns)
        return {**data, "bytes": (stored_bytes(url, long[0]) - before) / turns}


async def bench_graph(url: str, turns: int) -> dict[str, Any]:
    """The same conversation on the compiled graph alone: no Runner, so no thread lease, and
    finalize writes the turn's record in its own statement instead of with the checkpoint."""
    async with open_stack(url) as stack:
        who = actor()

        async def turn(thread: str, ticket_id: str, i: int) -> None:
            ctx = Context(user_id=who.user_id, department=who.department, role=who.role,
                          trace_id=uuid.uuid4().hex, services=stack.services)
            out = await stack.graph.ainvoke({"message": script(ticket_id, i)},
                                            {"configurable": {"thread_id": thread}}, context=ctx,
                                            durability="exit")
            assert out["result"]["status"] == "OK", out["result"]

        long, fresh = await new_thread(stack, who), await new_thread(stack, who)
        before = stored_bytes(url, long[0])
        data: dict[str, Any] = await windows(turn, long, fresh, turns)
        return {**data, "bytes": (stored_bytes(url, long[0]) - before) / turns}


class BaselineState(TypedDict):
    """A plain chat state: the whole message list is checkpointed every turn."""

    messages: Annotated[list[Any], add_messages]
    step: str


def baseline_graph(saver: Any) -> Any:
    """Five nodes in a row; the last one appends a reply."""
    g = StateGraph(BaselineState)
    names = ["restore", "gate", "route", "validate", "execute"]
    for name in names:
        g.add_node(name, lambda s, n=name: {"step": n})
    g.add_node("reply", lambda s: {"messages": [AIMessage(content=f"reply to {len(s['messages'])}")]})
    g.add_edge(START, names[0])
    for a, b in zip([*names, "reply"], [*names[1:], "reply"], strict=False):
        g.add_edge(a, b)
    return g.compile(checkpointer=saver)


async def bench_baseline(url: str, turns: int) -> dict[str, Any]:
    """The baseline: stock AsyncPostgresSaver, LangGraph's default durability."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    pool = AsyncConnectionPool(url, open=False, kwargs={"autocommit": True, "prepare_threshold": 0,
                                                        "row_factory": dict_row})
    await pool.open(wait=True)
    graph = baseline_graph(AsyncPostgresSaver(pool))

    async def turn(thread: str, ticket_id: str, i: int) -> None:
        await graph.ainvoke({"messages": [HumanMessage(content=script(ticket_id, i))]},
                            {"configurable": {"thread_id": thread}})

    long, fresh = [(f"base-{uuid.uuid4().hex[:6]}", "TCK-2026-AAAAAA") for _ in range(2)]
    data: dict[str, Any] = await windows(turn, long, fresh, turns)
    await pool.close()
    return {**data, "bytes": stored_bytes(url, long[0]) / turns}


def report(name: str, data: dict[str, Any]) -> None:
    """One line per graph."""
    early, late = data["early"], data["late"]
    print(f"{name:9s} early(1-{WINDOW})  p50 {statistics.median(early):6.2f} ms  p95 {pct(early, .95):6.2f} ms"
          f" | late(last {WINDOW}) p50 {statistics.median(late):6.2f} ms  p95 {pct(late, .95):6.2f} ms"
          f" | checkpoint {data['bytes'] / 1024:6.2f} KB/turn")


def scratch_dir() -> Path:
    """A temp dir the pgserver system user can reach; removed at exit, after the server."""
    root = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    root.chmod(0o755)
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # runs after pgserver's own cleanup
    return root


async def main() -> None:
    """Run both benchmarks on a fresh embedded Postgres."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=1000)
    turns = parser.parse_args().turns
    server = embedded.start(scratch_dir(), cleanup="delete")
    url = embedded.uri(server)
    db = Database.connect(url, pool_size=1)
    await migrate(db.engine)
    await db.close()
    print(f"{turns} turns per thread, embedded Postgres, rules mode")
    meter = host_meter()
    ours = await bench_helpdesk(url, turns)
    report("helpdesk", ours)
    report("graph", await bench_graph(url, turns))
    base = await bench_baseline(url, turns)
    report("baseline", base)
    # the host's speed drifts up to 2x between days; the ratio to a baseline timed in the same run
    # drifts much less
    print(f"helpdesk / baseline, early p50: {statistics.median(ours['early']) / statistics.median(base['early']):.2f}x")
    print(meter())


def run(coro: Any) -> None:
    """On uvloop when it is installed: the loop `helpdesk serve` runs on (uvicorn picks it)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


if __name__ == "__main__":
    run(main())
