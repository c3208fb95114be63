"""The synchronous SDK client and RemoteGraph against `helpdesk serve`."""

from __future__ import annotations

from langgraph.pregel.remote import RemoteGraph
from langgraph_sdk import get_client, get_sync_client

from tests.protocol.conftest import headers, human


def test_sync_client_conversation_with_interrupt(server: str) -> None:
    client = get_sync_client(url=server, headers=headers("frank"))
    assert client.assistants.search(graph_id="helpdesk")[0]["graph_id"] == "helpdesk"
    tid = client.threads.create()["thread_id"]
    parts = list(client.runs.stream(tid, "helpdesk", input=human("VPN 连不上，帮我提个工单"),
                                    stream_mode=["values", "updates", "messages-tuple"]))
    assert parts[0].event == "metadata"
    ticket = [p.data for p in parts if p.event == "values"][-1]["result"]["ticket"]["ticket_id"]
    paused = client.runs.wait(tid, "helpdesk", input=human(f"取消 {ticket}"))
    assert paused["__interrupt__"][0]["value"]["action_requests"]
    assert client.threads.get_state(tid)["interrupts"]
    done = client.runs.wait(tid, "helpdesk", command={"resume": {"decisions": [{"type": "reject"}]}})
    assert done["result"]["status"] == "CANCELLED"
    assert [m["type"] for m in done["messages"]] == ["human", "ai", "human", "ai", "ai"]  # a decision is no chat line
    assert len(client.threads.get_history(tid, limit=20)) >= 3


def test_remote_graph_invoke_stream_and_state(server: str) -> None:
    remote = RemoteGraph("helpdesk", url=server, headers=headers("grace"),
                         sync_client=get_sync_client(url=server, headers=headers("grace")),
                         client=get_client(url=server, headers=headers("grace")))
    tid = get_sync_client(url=server, headers=headers("grace")).threads.create()["thread_id"]
    config = {"configurable": {"thread_id": tid}}
    out = remote.invoke(human("please open a ticket: keyboard broken"), config)
    assert out["result"]["status"] == "OK" and out["messages"][-1]["type"] == "ai"
    chunks = list(remote.stream(human("hello"), config, stream_mode="updates"))
    assert any("finalize" in c for c in chunks)
    snapshot = remote.get_state(config)
    assert len(snapshot.values["messages"]) == 4 and snapshot.next == ()
    assert snapshot.config["configurable"]["thread_id"] == tid


async def test_remote_graph_async(server: str) -> None:
    remote = RemoteGraph("helpdesk", url=server, headers=headers("grace"))
    client = get_client(url=server, headers=headers("grace"))
    tid = (await client.threads.create())["thread_id"]
    config = {"configurable": {"thread_id": tid}}
    out = await remote.ainvoke(human("hi"), config)
    assert out["result"]["status"] == "OK"
    assert (await remote.aget_state(config)).values["messages"][-1]["type"] == "ai"
