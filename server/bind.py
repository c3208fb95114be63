"""Where this process really accepts connections, for the dev-mode guard.

`HOST` is only what `helpdesk serve` was told; `uvicorn server.app:app_from_env --factory --host
0.0.0.0` never sets it. So the guard asks the ASGI server: the listening sockets this process
already holds (uvicorn workers, --fd, gunicorn), and the host uvicorn is about to bind (its
config, reachable through the signal handler it installs before the lifespan starts). Requests
are checked too (`server.auth`), for servers neither of these sees.
"""

from __future__ import annotations

import logging
import signal
import socket
from typing import Any

log = logging.getLogger("helpdesk.bind")


def listening_hosts() -> list[str]:
    """Local addresses of the TCP sockets this process listens on (psutil, when installed)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - pgserver depends on psutil
        return []
    try:
        connections = psutil.Process().net_connections(kind="inet")
    except psutil.Error:  # pragma: no cover - /proc unreadable
        return []
    return [str(c.laddr.ip) for c in connections if c.status == psutil.CONN_LISTEN]


def uvicorn_config() -> Any:
    """The running uvicorn server's Config, if uvicorn serves this process."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        owner = getattr(signal.getsignal(signum), "__self__", None)
        config = getattr(owner, "config", None)
        if type(owner).__module__.startswith("uvicorn") and config is not None:
            return config
    return None


def uvicorn_hosts() -> list[str]:
    """The address uvicorn binds (or the socket it was handed with --fd); [] for a Unix socket."""
    config = uvicorn_config()
    if config is None or config.uds:
        return []
    if config.fd is not None:
        with socket.socket(fileno=config.fd) as sock:
            try:
                return [str(sock.getsockname()[0])]
            finally:
                sock.detach()
    return [str(config.host)]


def bound_hosts(fallback: str) -> list[str]:
    """Every address this process serves on, or `fallback` when no server can be asked."""
    hosts = [*listening_hosts(), *uvicorn_hosts()]
    return sorted(set(hosts)) or [fallback]
