"""The embedded Postgres (pgserver wheel: Postgres 16 + pgvector) used when no DATABASE_URL is set."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedPostgresError(RuntimeError):
    """The embedded Postgres could not be started; the message says how to fix it."""


def _check_reachable(path: Path) -> None:
    # As root, pgserver runs Postgres as the `pgserver` system user: every ancestor of the data
    # directory must be traversable by others, or initdb fails with an obscure error.
    if os.geteuid() != 0:
        return
    for parent in [path, *path.parents]:
        if parent.exists() and not os.stat(parent).st_mode & 0o001:
            raise EmbeddedPostgresError(
                f"{parent} is not reachable by the 'pgserver' system user that runs the "
                f"embedded Postgres as root. Use a data directory outside it "
                f"(--data-dir / HELPDESK_DATA_DIR), run `chmod o+x {parent}`, "
                f"or set DATABASE_URL to a real Postgres."
            )


def start(data_dir: Path, *, cleanup: str = "stop") -> Any:
    """Start (or reuse) the embedded Postgres under `data_dir/pg`; returns the pgserver handle.

    pgserver counts the processes holding a handle: the server stops when the last one exits
    (`cleanup="stop"`) or is deleted along with its files (`cleanup="delete"`, for tests).
    """
    path = (data_dir / "pg").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_reachable(path.parent)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(path.parent))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        try:
            server = pgserver.get_server(path, cleanup_mode=cleanup)  # type: ignore[attr-defined]
        except Exception as exc:  # pgserver raises bare exceptions with the pg log inside
            raise EmbeddedPostgresError(f"embedded Postgres failed to start in {path}: {exc}") from exc
    _forget_dead_holders(server)
    log.info("embedded postgres ready at %s", path)
    return server


def _forget_dead_holders(server: Any) -> None:
    """Drop handles of processes that died without letting go (kill -9).

    pgserver stops the server when its last holder exits, counting holders in a list on disk; a
    killed server process stays on that list, so the next one to exit would leave Postgres
    running forever. Only live processes hold it.
    """
    holders = server.global_process_id_list
    for pid in holders.get():
        if pid != os.getpid() and not _alive(pid):
            holders.get_and_remove(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def uri(server: Any, database: str = "postgres") -> str:
    """A libpq URI for one database of the embedded server (Unix socket, no password)."""
    return f"postgresql://postgres:@/{database}?host={server.pgdata}"
