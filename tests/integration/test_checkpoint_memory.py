"""The saver serves a thread's next run the checkpoint it wrote last, when still the latest.

What it serves must be exactly what loading the checkpoint from Postgres gives, and a checkpoint
written by another process (another saver on the same database) must never be shadowed by an
older one held in memory.
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import CheckpointTuple, copy_checkpoint, empty_checkpoint
from langgraph.checkpoint.base.id import uuid6
from prometheus_client import REGISTRY

from checkpoints.saver import LATEST_CHECKPOINT, HelpdeskSaver, open_checkpointer
from graph.graph import build_graph
from graph.runner import Runner, TurnRequest
from tests.factories import Stack, actor
from tools.crud import threads as crud_threads
from tools.db.engine import Database


async def _from_db(saver: HelpdeskSaver, thread_id: str) -> CheckpointTuple:
    found = await saver.aget_tuple({"configurable": {"thread_id": thread_id}})  # no lease id
    assert found is not None
    return found


async def _lease_and_load(stack: Stack, thread_id: str,
                          owner: Any) -> tuple[str | None, CheckpointTuple | None]:
    """Take the thread's lease as a run does, load as its run would, give the lease back."""
    async with stack.services.db.connection() as conn:
        lease = await crud_threads.acquire_lease(
            conn, thread_id=thread_id, owner_id=owner.user_id, department=owner.department,
            title="", run_id="probe", trace_id="probe", lease_s=30)
        assert lease is not None
        try:
            return lease.latest_checkpoint, await stack.graph.checkpointer.aget_tuple({
                "configurable": {"thread_id": thread_id, "checkpoint_ns": "",
                                 LATEST_CHECKPOINT: lease.latest_checkpoint}})
        finally:
            await crud_threads.release_lease(conn, thread_id=thread_id, run_id="probe",
                                             status=lease.status, settled=lease.settled)


def _same(served: CheckpointTuple, loaded: CheckpointTuple) -> None:
    assert served.config == loaded.config
    assert served.parent_config == loaded.parent_config
    assert served.metadata == loaded.metadata
    assert served.pending_writes == loaded.pending_writes
    assert served.checkpoint == loaded.checkpoint


CONVERSATION = [
    "I need to open a ticket",
    "The office printer on floor 3 keeps jamming and prints nothing",
    "我的VPN连不上了，很急，帮我提个工单",
    "上一单现在什么状态？",
    "给上一单加个备注：我在家办公",
    "show my tickets",
    "hello",
    "怎么重置密码？",
    "cancel that ticket",  # waits for a confirmation: the checkpoint has pending writes
    "确认",
    "what is the status of my last ticket?",
]


def _loads(source: str) -> float:
    return REGISTRY.get_sample_value("helpdesk_checkpoint_loads_total", {"source": source}) or 0.0


async def test_served_checkpoint_equals_the_loaded_one_on_every_line(stack: Stack) -> None:
    who = actor()
    saver = stack.graph.checkpointer
    thread = None
    served_turns = 0
    memory, database = _loads("memory"), _loads("database")
    for message in CONVERSATION:
        r = await stack.turn(who, message, thread_id=thread)
        thread = r.thread_id
        loaded = await _from_db(saver, thread)
        latest, served = await _lease_and_load(stack, thread, who)
        assert served is not None
        _same(served, loaded)
        assert not any("latest" in key for key in loaded.metadata)  # not kept in every row
        if loaded.pending_writes:  # an interrupt: only the database has its writes
            assert latest is None
        else:
            assert latest == loaded.config["configurable"]["checkpoint_id"]
            assert saver._written[thread].checkpoint_id == latest  # so it was served from memory
            served_turns += 1
    assert served_turns == len(CONVERSATION) - 1
    # every run after the first was served from memory but the confirmation's (it resumes an
    # interrupt), and so was every probe of a thread whose last turn ended
    assert _loads("memory") - memory == 2 * (len(CONVERSATION) - 1) - 1
    assert _loads("database") - database == 1 + 1 + 1  # new thread, the confirmation, its probe


async def test_a_checkpoint_written_elsewhere_is_never_shadowed(stack: Stack, db_url: str) -> None:
    """Two savers on one database, as two server processes: turns alternate between them."""
    who = actor()
    pool = Database.connect(db_url, pool_size=1)
    other_saver = await open_checkpointer(pool)
    try:
        other = Runner(stack.services, build_graph(checkpointer=other_saver))
        first = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
        thread, vpn = first.thread_id, first.ticket["ticket_id"]
        # the other process files a second ticket on the same thread: "the last one" moves
        second = await _run(other, who, "the office printer is broken, please open a ticket", thread)
        printer = second["ticket"]["ticket_id"]
        assert printer != vpn
        # this process still holds the checkpoint of its own turn, which is no longer the latest
        assert stack.graph.checkpointer._written[thread].checkpoint_id != (
            (await _from_db(stack.graph.checkpointer, thread)).config["configurable"]["checkpoint_id"])
        r = await stack.turn(who, "上一单现在什么状态？", thread_id=thread)
        assert r.ticket["ticket_id"] == printer, "served the older checkpoint of this process"
        third = await _run(other, who, f"查看 {vpn}", thread)
        assert third["ticket"]["ticket_id"] == vpn
        r = await stack.turn(who, "what is the status of that ticket?", thread_id=thread)
        assert r.ticket["ticket_id"] == vpn
    finally:
        await pool.close()


async def _run(runner: Runner, who: Any, message: str, thread: str) -> dict[str, Any]:
    result = await runner.run(TurnRequest(message=message, thread_id=thread), who, trace_id="other")
    return result.model_dump()


async def test_memory_is_bounded(stack: Stack, db_url: str) -> None:
    pool = Database.connect(db_url, pool_size=1)
    saver = await open_checkpointer(pool, memory=2)
    try:
        runner = Runner(stack.services, build_graph(checkpointer=saver))
        threads = []
        for _ in range(3):
            result = await runner.run(TurnRequest(message="hello"), actor(), trace_id="bounded")
            threads.append(result.thread_id)
        assert list(saver._written) == threads[1:]
    finally:
        await pool.close()


async def test_a_channel_left_unchanged_is_served_after_another_saver_wrote_it(db_url: str) -> None:
    """Saver B writes a checkpoint on top of one saver A wrote, changing one channel of two:
    what B serves for it must still hold the other channel, which B never wrote."""
    pool_a, pool_b = Database.connect(db_url, pool_size=1), Database.connect(db_url, pool_size=1)
    a, b = await open_checkpointer(pool_a), await open_checkpointer(pool_b)
    try:
        thread = f"t-{uuid.uuid4()}"
        config: RunnableConfig = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
        first = empty_checkpoint()
        first["channel_values"] = {"memory": {"ticket_id": "TCK-1"}, "transcript": ["hi"]}
        first["channel_versions"] = {"memory": "1", "transcript": "1"}
        saved = await a.aput(config, first, {"source": "loop", "step": 0}, {"memory": "1", "transcript": "1"})
        second = copy_checkpoint(first)
        second["id"] = str(uuid6(clock_seq=-1))
        second["channel_values"] = {"memory": {"ticket_id": "TCK-1"}, "transcript": ["hi", "ok"]}
        second["channel_versions"] = {"memory": "1", "transcript": "2"}
        await b.aput(saved, second, {"source": "loop", "step": 1}, {"transcript": "2"})
        wanted = {"configurable": {**config["configurable"], LATEST_CHECKPOINT: second["id"]}}
        served = await b.aget_tuple(wanted)
        loaded = await _from_db(b, thread)
        assert served is not None and b._written[thread].checkpoint_id == second["id"]
        _same(served, loaded)
        assert served.checkpoint["channel_values"]["memory"] == {"ticket_id": "TCK-1"}
    finally:
        await pool_a.close()
        await pool_b.close()
