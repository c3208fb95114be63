"""Stop the database under load and start it again: quick 503s with Retry-After meanwhile,
every thread answering again within seconds of the database's return, none left busy."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkpoints import embedded
from tests.faults.helpers import log_of, post, replicas
from tests.server.helpers import who
from tools.db.engine import POOL_WAIT_S

pytestmark = pytest.mark.slow
CLIENTS = 8
RECOVERY_S = 6.0  # the 5 s target plus polling and a busy, shared CPU
FAST_FAIL_S = 1.5  # a 503 must not hang


@pytest.fixture()
def own_postgres() -> Iterator[Any]:
    """An embedded Postgres of this test alone, which it may stop and start."""
    root = Path(tempfile.mkdtemp(prefix="helpdesk-outage-"))
    root.chmod(0o755)
    server = embedded.start(root, cleanup="delete")
    yield server
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


class Client(threading.Thread):
    """Sends turns on its own thread until told to stop; records (sent_at, status, took, retry)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.user = url, who()
        self.thread_id = post(url, "/agent", {"message": "hi"}, self.user).json()["thread_id"]
        self.seen: list[tuple[float, int, float, str | None]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.user, timeout=30) as http:
            while not self.halt.is_set():
                sent = time.monotonic()
                try:
                    r = http.post("/agent", json={"message": "hi", "thread_id": self.thread_id})
                    status, retry = r.status_code, r.headers.get("retry-after")
                except httpx.HTTPError:
                    status, retry = 0, None
                self.seen.append((sent, status, time.monotonic() - sent, retry))
                time.sleep(0.05)

    def back_at(self, since: float) -> float | None:
        """When the first turn sent after `since` succeeded."""
        return next((t for t, s, _, _ in self.seen if t >= since and s == 200), None)


def test_outage_fails_fast_and_recovers(own_postgres: Any) -> None:
    import pgserver

    with replicas(embedded.uri(own_postgres)) as make:
        replica = make().start()
        clients = [Client(replica.url) for _ in range(CLIENTS)]
        for c in clients:
            c.start()
        time.sleep(1.5)
        pgserver.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=own_postgres.pgdata,
                        user=own_postgres.system_user)
        down = time.monotonic()
        time.sleep(3.0)
        restarting = time.monotonic()  # Postgres may accept connections before the call returns
        own_postgres.ensure_postgres_running()
        up = time.monotonic()
        deadline = up + 20
        while time.monotonic() < deadline and not all(c.back_at(up) for c in clients):
            time.sleep(0.1)
        for c in clients:
            c.halt.set()
            c.join(35)
        # sent while the database was down and answered before it could be back: a request
        # waits up to POOL_WAIT_S for a connection, so one sent later may meet the database
        # already up (and the lease a failed turn could not give back: 409 until it lapses)
        during = [s for c in clients for s in c.seen if down + 0.5 < s[0] < restarting - POOL_WAIT_S]
        failed = [s for s in during if s[1] != 200]
        assert failed, "no request failed while the database was down"
        assert {s[1] for s in failed} == {503}, (failed, log_of(replica))
        assert all(s[3] for s in failed), "a 503 without Retry-After"
        assert max(s[2] for s in failed) < FAST_FAIL_S, max(s[2] for s in failed)
        back = [c.back_at(up) for c in clients]
        assert all(b is not None for b in back), "a thread did not recover"
        slowest = max(b - up for b in back if b is not None)
        print(f"\noutage: {len(failed)} x 503, slowest {max(s[2] for s in failed):.2f} s; every "
              f"thread answered again {slowest:.2f} s after the database came back")
        assert slowest < RECOVERY_S, f"slowest thread answered {slowest:.1f} s after the database"
        for c in clients:  # none stuck busy: each takes a turn at once
            r = post(replica.url, "/agent", {"message": "hi", "thread_id": c.thread_id}, c.user)
            assert r.status_code == 200, r.text
