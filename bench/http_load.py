"""HTTP latency and throughput of a real `helpdesk serve` (rules mode, embedded Postgres).

    .venv/bin/python bench/http_load.py [--turns 200] [--clients 16] [--workers 1]

(The issue calls it bench/http.py; a file of that name in bench/ shadows the standard library's
`http` package for every script run from this folder, so it is http_load.py.)

Starts the server itself on a free loopback port with a temp data dir, then measures:
  POST /agent          p50/p95 ms, 1 client and N concurrent clients (distinct threads), turns/s
  POST /agent/stream   time to the first SSE event (metadata) and to the end, p50/p95 ms,
                       1 client and N concurrent clients, turns/s
Targets (2 cores): p50 <= 10 ms single client, first SSE event <= 5 ms, >= 100 turns/s at 16.

The clients speak HTTP/1.1 over bare keep-alive sockets: on a 2-core machine an HTTP client
library's own CPU (httpx spends ~2 ms a request) would be measured as server latency and take
CPU from the server. One row repeats the single-client run through httpx for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.host import host_meter
from tests.server.live import data_dir, serving

T = TypeVar("T")


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, ms: list[float], extra: str = "") -> None:
    """One result row."""
    print(f"{name:<46} n={len(ms):<5} p50={pct(ms, .5):7.2f} ms  p95={pct(ms, .95):7.2f} ms {extra}")


class Connection:
    """One keep-alive HTTP/1.1 connection: POST a JSON body, read the JSON answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        """(status, parsed JSON body)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{extra}"
                          f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                          .encode() + data)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = dict(line.lower().split(": ", 1) for line in head[1:] if ": " in line)
        payload = await self.reader.readexactly(int(fields["content-length"]))
        return status, json.loads(payload)


class Client:
    """One person on their own thread, cycling through a rules-mode conversation."""

    def __init__(self, url: str, http: httpx.AsyncClient | None = None) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port or 80
        self.conn, self.http = Connection(self.host, self.port), http
        self.user = {"X-User-Id": f"bench-{uuid.uuid4().hex[:8]}"}
        self.thread: str | None = None
        self.ticket = ""
        self.i = 0

    async def start(self) -> None:
        """Open the thread with a ticket to talk about."""
        body = await self.post("/agent", "我的VPN连不上了，帮我提个工单")
        self.thread, self.ticket = body["thread_id"], body["ticket"]["ticket_id"]

    def message(self) -> str:
        """The next line of the conversation."""
        self.i += 1
        lines = [f"查看 {self.ticket}", "show my tickets", "hello", "上一单现在什么状态？",
                 f"what is the status of {self.ticket}?"]
        return lines[self.i % len(lines)]

    async def post(self, path: str, message: str) -> Any:
        """One turn (through httpx when this client has one); raises on anything but 200."""
        body = {"message": message, "thread_id": self.thread}
        if self.http is not None:
            r = await self.http.post(path, json=body, headers=self.user)
            r.raise_for_status()
            return r.json()
        status, answer = await self.conn.post(path, body, self.user)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {answer}")
        return answer

    async def turn(self) -> float:
        """ms of one POST /agent."""
        start = time.perf_counter()
        await self.post("/agent", self.message())
        return (time.perf_counter() - start) * 1000

    async def stream(self) -> tuple[float, float]:
        """ms to the first SSE event and to `end`."""
        body = json.dumps({"message": self.message(), "thread_id": self.thread}).encode()
        head = (f"POST /agent/stream HTTP/1.1\r\nHost: {self.host}\r\nX-User-Id: "
                f"{self.user['X-User-Id']}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        start, first, seen = time.perf_counter(), 0.0, b""
        writer.write(head + body)
        while b"event: end" not in seen and (chunk := await reader.read(65536)):
            seen += chunk
            first = first or (time.perf_counter() if b"event:" in seen else 0.0)
        writer.close()
        return (first - start) * 1000, (time.perf_counter() - start) * 1000


async def sequential(step: Callable[[], Awaitable[T]], turns: int) -> list[T]:
    """`turns` runs of `step` (one client's turn or stream) one after another."""
    return [await step() for _ in range(turns)]


async def measure(url: str, turns: int, clients: int) -> None:
    """Run every measurement against the server at `url`."""
    solo = Client(url)
    await solo.start()
    await sequential(solo.turn, 30)  # warm up
    line("POST /agent, 1 client", await sequential(solo.turn, turns))
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        via = Client(url, http)
        await via.start()
        await sequential(via.turn, 30)
        line("POST /agent, 1 client via httpx", await sequential(via.turn, turns))
    firsts, ends = zip(*await sequential(solo.stream, turns), strict=True)
    line("POST /agent/stream first event", list(firsts))
    line("POST /agent/stream whole stream", list(ends))
    crowd = [Client(url) for _ in range(clients)]
    await asyncio.gather(*(c.start() for c in crowd))
    await asyncio.gather(*(sequential(c.turn, 5) for c in crowd))
    start = time.perf_counter()
    results = await asyncio.gather(*(sequential(c.turn, turns // 4) for c in crowd))
    wall = time.perf_counter() - start
    every = [ms for r in results for ms in r]
    line(f"POST /agent, {clients} clients", every, f"{len(every) / wall:7.1f} turns/s")
    start = time.perf_counter()
    streams = await asyncio.gather(*(sequential(c.stream, turns // 4) for c in crowd))
    wall = time.perf_counter() - start
    pairs = [pair for r in streams for pair in r]
    line(f"POST /agent/stream, {clients} clients, first event", [p[0] for p in pairs])
    line(f"POST /agent/stream, {clients} clients, whole stream", [p[1] for p in pairs],
         f"{len(pairs) / wall:7.1f} turns/s")


def main() -> None:
    """Start the server, measure, stop it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="INFO", help="server log level (INFO = default)")
    args = parser.parse_args()
    data = data_dir()
    try:
        # one user per client, at full speed: the per-user turn bucket on, but never empty
        env = {"HELPDESK_LOG_LEVEL": args.log_level, "HELPDESK_TURN_RATE": "1000000"}
        with serving(data=data, workers=args.workers, **env) as (url, _):
            print(f"helpdesk serve --workers {args.workers}, embedded Postgres, rules mode, "
                  f"log level {args.log_level}")
            meter = host_meter()
            asyncio.run(measure(url, args.turns, args.clients))
            print(meter())
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
