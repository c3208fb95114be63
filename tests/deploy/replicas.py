"""Several `helpdesk serve` processes on one Postgres, started together (tests and bench)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, wait_http_ready
from tests.server.live import HELPDESK, _env, stop


@dataclass
class Replica:
    """One server process and where it listens."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def addr(self) -> str:
        """host:port, as nginx names the upstream."""
        return f"127.0.0.1:{self.port}"


@contextmanager
def replicas(database_url: str, n: int, **env: str) -> Iterator[list[Replica]]:
    """`n` servers on `database_url` (each with its own data dir), all ready."""
    started: list[Replica] = []
    try:
        for _ in range(n):
            port, data = free_port(), Path(tempfile.mkdtemp(prefix="helpdesk-replica-"))
            data.chmod(0o755)
            log = data / "serve.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [str(HELPDESK), "serve", "--port", str(port), "--data-dir", str(data)],
                    env=_env(database_url, env), stdout=out, stderr=out)
            started.append(Replica(proc, port, log))
        for r in started:
            wait_http_ready(r.proc, f"http://{r.addr}/readyz", log=r.log)
        yield started
    finally:
        for r in started:
            if r.proc.poll() is None:
                stop(r.proc)
