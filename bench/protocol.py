"""The LangGraph Server protocol path vs /agent/stream, and vs `langgraph dev`, on one graph.

    .venv/bin/python bench/protocol.py [--turns 200] [--dev-turns 50]

Starts `helpdesk serve` (embedded Postgres, rules mode) and, on its own data dir, `langgraph dev`
on the same graph. Every turn is one raw HTTP/1.1 request on a fresh connection, read to the end
of the stream; the two paths on `helpdesk serve` alternate turn by turn so both see the same
host. Prints ms to the first SSE event and to the end of the response (the server closing the
connection, for both paths) (p50/p95):
  /agent/stream               - API.md's stream (one person's thread)
  runs/stream (helpdesk)      - POST /threads/{id}/runs/stream, stream_mode values+messages-tuple
  runs/stream (langgraph dev) - the same request against `langgraph dev` (in-memory runtime)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.host import host_meter
from tests.processes import free_port, wait_http_ready
from tests.server.live import data_dir, serving

ROOT = Path(__file__).resolve().parents[1]
LINES = ["hello", "show my tickets", "上一单现在什么状态？", "how do I reset my password?", "你好"]
Timing = tuple[float, float]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, ms: list[float]) -> None:
    print(f"{name:<44} n={len(ms):<5} p50={pct(ms, .5):8.2f} ms  p95={pct(ms, .95):8.2f} ms")


async def sse(url: str, path: str, body: dict[str, Any], user: str, until: bytes | None) -> Timing:
    """(ms to the first event, ms to the end) of one streamed request on a fresh connection."""
    parsed = httpx.URL(url)
    data = json.dumps(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {parsed.host}\r\nX-User-Id: {user}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n")
    reader, writer = await asyncio.open_connection(parsed.host, parsed.port)
    start, first, seen = time.perf_counter(), 0.0, b""
    writer.write(head.encode() + data)
    while (until is None or until not in seen) and (chunk := await reader.read(65536)):
        seen += chunk
        first = first or (time.perf_counter() if b"event:" in seen else 0.0)
    writer.close()
    if b" 200 " not in seen.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"{path} answered {seen[:200]!r}")
    return (first - start) * 1000, (time.perf_counter() - start) * 1000


class Person:
    """One person with a thread on /agent and a thread on the protocol."""

    def __init__(self, url: str) -> None:
        self.url, self.user, self.i = url, f"bench-{uuid.uuid4().hex[:8]}", 0
        self.agent_thread: str | None = None
        self.lg_thread = ""

    async def start(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, headers={"X-User-Id": self.user}) as http:
            self.lg_thread = (await http.post("/threads", json={})).json()["thread_id"]
            first = await http.post("/agent", json={"message": "hello"})
            self.agent_thread = first.json()["thread_id"]

    def text(self) -> str:
        self.i += 1
        return LINES[self.i % len(LINES)]

    async def agent(self) -> Timing:
        body = {"message": self.text(), "thread_id": self.agent_thread}
        return await sse(self.url, "/agent/stream", body, self.user, None)

    async def protocol(self) -> Timing:
        body = {"assistant_id": "helpdesk", "stream_mode": ["values", "messages-tuple"],
                "input": {"messages": [{"type": "human", "content": self.text()}]}}
        return await sse(self.url, f"/threads/{self.lg_thread}/runs/stream", body, self.user, None)


def report(name: str, timings: list[Timing]) -> None:
    line(f"{name} first event", [t[0] for t in timings])
    line(f"{name} whole stream", [t[1] for t in timings])


async def alternate(a: Callable[[], Awaitable[Timing]], b: Callable[[], Awaitable[Timing]],
                    turns: int) -> tuple[list[Timing], list[Timing]]:
    first: list[Timing] = []
    second: list[Timing] = []
    for _ in range(turns):
        first.append(await a())
        second.append(await b())
    return first, second


async def on_helpdesk(url: str, turns: int) -> None:
    person = Person(url)
    await person.start()
    await alternate(person.agent, person.protocol, 30)  # warm up
    agent, protocol = await alternate(person.agent, person.protocol, turns)
    report("/agent/stream", agent)
    report("runs/stream (helpdesk serve)", protocol)
    d_first = pct([p[0] for p in protocol], .5) - pct([a[0] for a in agent], .5)
    d_end = pct([p[1] for p in protocol], .5) - pct([a[1] for a in agent], .5)
    print(f"protocol - /agent p50: first event {d_first:+.2f} ms, whole stream {d_end:+.2f} ms")


async def on_dev(url: str, turns: int) -> list[Timing]:
    person = Person(url)
    async with httpx.AsyncClient(base_url=url) as http:
        person.lg_thread = (await http.post("/threads", json={})).json()["thread_id"]
    for _ in range(3):
        await person.protocol()
    timings = [await person.protocol() for _ in range(turns)]
    report("runs/stream (langgraph dev)", timings)
    return timings


def langgraph_dev(turns: int) -> None:
    data, port = data_dir(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENAI_MODEL")}
    env |= {"HELPDESK_DATA_DIR": str(data), "HELPDESK_MODE": "rules", "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false"}
    log = open(data / "langgraph-dev.log", "ab")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("langgraph")), "dev", "--no-browser",
                             "--no-reload", "--port", str(port), "--host", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http_ready(proc, f"{url}/ok", log=data / "langgraph-dev.log")
        asyncio.run(on_dev(url, turns))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        log.close()
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--dev-turns", type=int, default=50)
    args = parser.parse_args()
    data = data_dir()
    meter = host_meter()
    try:
        with serving(data=data, HELPDESK_LOG_LEVEL="WARNING", HELPDESK_TURN_RATE="0") as (url, _):
            print("helpdesk serve, embedded Postgres, rules mode; one fresh connection per turn")
            asyncio.run(on_helpdesk(url, args.turns))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    if args.dev_turns:
        langgraph_dev(args.dev_turns)
    print(meter())


if __name__ == "__main__":
    main()
