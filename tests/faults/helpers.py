"""Crash and outage tests: real `helpdesk serve` processes on one database, killed on purpose."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.processes import free_port, wait_http_ready
from tests.server.live import HELPDESK, _env, data_dir, stop


class Replica:
    """One `helpdesk serve` on a shared DATABASE_URL (started, killed, started again)."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.database_url, self.env = database_url, env
        self.data = data_dir()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, **env: str) -> Replica:
        """Start it (with these extra environment variables) and wait until it is ready."""
        port = free_port()
        log = open(self.data / f"serve-{port}.log", "ab")
        cmd = [str(HELPDESK), "serve", "--port", str(port), "--data-dir", str(self.data)]
        self.proc = subprocess.Popen(cmd, env=_env(self.database_url, {**self.env, **env}),
                                     stdout=log, stderr=log)
        self.url = f"http://127.0.0.1:{port}"
        wait_http_ready(self.proc, f"{self.url}/readyz", log=self.data / f"serve-{port}.log")
        return self

    def dead(self, timeout: float = 30.0) -> int:
        """Wait for the process to die (a failpoint killed it); its exit code."""
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        """SIGTERM, unless it died already."""
        if self.proc is not None and self.proc.poll() is None:
            stop(self.proc)


@contextmanager
def replicas(database_url: str, **env: str) -> Iterator[Callable[..., Replica]]:
    """A factory of replicas on `database_url`; every one is stopped on the way out."""
    made: list[Replica] = []

    def make(**extra: str) -> Replica:
        replica = Replica(database_url, **{**env, **extra})
        made.append(replica)
        return replica

    try:
        yield make
    finally:
        for replica in made:
            replica.stop()


def post(url: str, path: str, body: dict[str, Any], user: dict[str, str],
         timeout: float = 30.0) -> httpx.Response:
    """One JSON POST."""
    return httpx.post(f"{url}{path}", json=body, headers=user, timeout=timeout)


def until_ok(url: str, path: str, body: dict[str, Any], user: dict[str, str],
             deadline_s: float = 30.0) -> tuple[httpx.Response, float]:
    """Repeat a request while it is refused as retryable (409 busy / 503); (response, seconds)."""
    started = time.monotonic()
    while True:
        r = post(url, path, body, user)
        if r.status_code not in (409, 503) or not r.json()["error"]["retryable"]:
            return r, time.monotonic() - started
        assert time.monotonic() - started < deadline_s, r.text
        time.sleep(0.1)


def rows(database_url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of a query (test assertions)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        return list(conn.execute(sql, args).fetchall())  # type: ignore[arg-type]


def log_of(replica: Replica) -> str:
    """Everything the replica logged (for assertion messages)."""
    return "\n".join(p.read_text(errors="replace")[-2000:] for p in Path(replica.data).glob("*.log"))
