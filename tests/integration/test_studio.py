"""`langgraph dev` loads langgraph.json and an interrupt → resume round trip works through the SDK."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from langgraph_sdk import get_client, get_sync_client

from tests.processes import free_port, wait_http_ready

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).with_name("langgraph")


@contextmanager
def langgraph_dev(env: dict[str, str], log: Path) -> Iterator[str]:
    """`langgraph dev` from the project folder (logs to `log`, outside it); its URL. Stopped after."""
    port = free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--port", str(port),
             "--host", "127.0.0.1"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ready(proc, f"{url}/ok", log=log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def studio(db_url: str) -> Iterator[str]:
    log = tempfile.NamedTemporaryFile(prefix="langgraph-dev-", suffix=".log", delete=False)
    env = {**os.environ, "DATABASE_URL": db_url, "HELPDESK_MODE": "rules",
           "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false"}
    env.pop("OPENAI_MODEL", None)
    with langgraph_dev(env, Path(log.name)) as url:
        yield url


async def test_interrupt_and_resume_through_the_sdk(studio: str) -> None:
    client = get_client(url=studio)
    assistants = await client.assistants.search(graph_id="helpdesk")
    assert assistants, "langgraph.json must expose the helpdesk graph"
    graph = await client.assistants.get_graph(assistants[0]["assistant_id"])
    names = {n["id"] for n in graph["nodes"]}
    assert {"context_restore", "confirm_gate", "global_router", "ticket_subplanner", "validator",
            "kb_answer", "create_ticket", "resume_draft", "ticket_tool", "execute_pending",
            "finalize", "await_confirmation"} <= names

    thread = await client.threads.create()
    tid = thread["thread_id"]
    state = await client.runs.wait(tid, "helpdesk", input={"message": "我的VPN连不上了，帮我提个工单"})
    ticket_id = state["result"]["ticket"]["ticket_id"]
    state = await client.runs.wait(tid, "helpdesk", input={"message": f"取消 {ticket_id}"})
    assert state["result"]["status"] == "NEED_CONFIRMATION"
    snapshot = await client.threads.get_state(tid)
    assert snapshot["next"] == ["await_confirmation"]
    assert snapshot["tasks"][0]["interrupts"], "the pending action must show as an interrupt"

    state = await client.runs.wait(tid, "helpdesk", command={"resume": {"decision": "confirm"}})
    assert state["result"]["status"] == "OK"
    assert state["result"]["ticket"]["status"] == "CANCELLED"


def test_langgraph_dev_on_the_embedded_postgres_needs_no_allow_blocking_and_stops_it() -> None:
    """As the README runs it: no DATABASE_URL, a fresh data dir (empty KB), no --allow-blocking."""
    from tests.server.live import data_dir, wait_no_postgres

    data = data_dir()
    log = data / "langgraph-dev.log"  # outside the project folder
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENAI_MODEL")}
    env |= {"HELPDESK_DATA_DIR": str(data), "HELPDESK_MODE": "rules", "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false"}
    with langgraph_dev(env, log) as url:
        client = get_sync_client(url=url)
        tid = client.threads.create()["thread_id"]
        state = client.runs.wait(tid, "helpdesk", input={"messages": [
            {"type": "human", "content": [{"type": "text", "text": "How do I reset my password?"}]}]})
        assert state["result"]["status"] == "OK", state  # the sample KB was loaded on first use
        assert state["result"]["citations"] and state["messages"][-1]["type"] == "ai"
        assert client.runs.list(tid)[0]["status"] == "success"
        assert "BlockingError" not in log.read_text()
    assert wait_no_postgres(data / "pg") == [], "the Postgres langgraph dev started must stop with it"
