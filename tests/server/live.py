"""Run the real `helpdesk serve` as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.processes import free_port, wait_http_ready

HELPDESK = Path(sys.executable).parent / "helpdesk"


def data_dir() -> Path:
    """A data directory the embedded Postgres' system user can reach (we may run as root)."""
    path = Path(tempfile.mkdtemp(prefix="helpdesk-serve-"))
    path.chmod(0o755)
    return path


def _env(database_url: str | None, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "AUTH_JWT_SECRET", "OPENAI_MODEL")}
    env.update({"HELPDESK_MODE": "rules", "HELPDESK_LOG_LEVEL": "WARNING", **extra})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def stop(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM and wait; the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout)


@contextmanager
def serving(*, data: Path, database_url: str | None = None, port: int | None = None,
            workers: int = 1, **extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`helpdesk serve` on data dir `data` (embedded Postgres unless `database_url`)."""
    port = port or free_port()
    cmd = [str(HELPDESK), "serve", "--port", str(port), "--data-dir", str(data),
           "--workers", str(workers)]
    log = open(data / f"serve-{port}.log", "ab")
    proc = subprocess.Popen(cmd, env=_env(database_url, extra), stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ready(proc, f"{url}/readyz")
        yield url, proc
    finally:
        if proc.poll() is None:
            stop(proc)
        log.close()


def postgres_processes(pgdata: Path) -> list[int]:
    """pids of postgres processes serving `pgdata`."""
    import psutil

    found = []
    for p in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(p.info.get("cmdline") or [])
        if p.info.get("name") == "postgres" and str(pgdata) in cmdline:
            found.append(p.pid)
    return found


def wait_no_postgres(pgdata: Path, timeout: float = 15.0) -> list[int]:
    """Wait until no postgres serves `pgdata`; the survivors if some remain."""
    deadline = time.monotonic() + timeout
    while (left := postgres_processes(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def count_rows(database_url: str, sql: str) -> int:
    """One integer from the database (test assertions)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0
