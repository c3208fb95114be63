"""Turns/s and p50/p95 at 32 clients with 1, 2 and 3 `helpdesk serve` replicas on one Postgres,
through nginx (deploy/nginx.conf, round-robin) and straight to the replicas (no proxy).

    .venv/bin/python bench/replicas.py [--clients 32] [--turns 20] [--replicas 1,2,3]

Rules mode, POST /agent (the JSON route), each client on its own thread over a keep-alive
connection (bench/http_load.py's bare-socket client, so client CPU stays small). Without nginx,
client i talks to replica i mod n. Everything - Postgres, the replicas, nginx and the clients -
shares this machine's cores (two here): more replicas add processes, not CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.host import host_meter
from bench.http_load import Client, line, sequential
from tests import pg
from tests.deploy import nginx
from tests.deploy.replicas import replicas


async def crowd(urls: list[str], clients: int, turns: int) -> tuple[list[float], float]:
    """Every client's turn latencies (ms) and the wall time of the measured part."""
    people = [Client(urls[i % len(urls)]) for i in range(clients)]
    await asyncio.gather(*(c.start() for c in people))
    await asyncio.gather(*(sequential(c.turn, 3) for c in people))  # warm up
    start = time.perf_counter()
    results = await asyncio.gather(*(sequential(c.turn, turns) for c in people))
    return [ms for r in results for ms in r], time.perf_counter() - start


def run(db_url: str, n: int, clients: int, turns: int) -> None:
    """One row through nginx and one straight to the replicas, for `n` replicas."""
    with replicas(db_url, n) as fleet:
        direct = [f"http://{r.addr}" for r in fleet]
        with nginx.proxy([r.addr for r in fleet]) as proxied:
            ms, wall = asyncio.run(crowd([proxied], clients, turns))
            line(f"{n} replica(s) through nginx, {clients} clients", ms,
                 f"{len(ms) / wall:7.1f} turns/s")
        ms, wall = asyncio.run(crowd(direct, clients, turns))
        line(f"{n} replica(s) direct (no proxy), {clients} clients", ms,
             f"{len(ms) / wall:7.1f} turns/s")


def main() -> None:
    """Start one Postgres, then each replica count in turn."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--turns", type=int, default=20, help="measured turns per client")
    parser.add_argument("--replicas", default="1,2,3")
    args = parser.parse_args()
    db_url = pg.create_database("bench")
    print(f"POST /agent, rules mode, one Postgres (embedded, pgserver), {os.cpu_count()} cores "
          "shared by everything")
    meter = host_meter()
    try:
        for n in (int(x) for x in args.replicas.split(",")):
            run(db_url, n, args.clients, args.turns)
    finally:
        pg.drop_database(db_url)
    print(meter())


if __name__ == "__main__":
    main()
