"""Helpers for tests that start real server processes."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def wait_http_ready(proc: subprocess.Popen[bytes], url: str, *, timeout: float = 90.0,
                    log: Path | None = None) -> None:
    """Poll `url` until it answers 200; fail early (with the log tail) if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text()[-3000:] if log else ""
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not become ready in {timeout:.0f} s")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
