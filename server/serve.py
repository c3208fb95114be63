"""`helpdesk serve`: uvicorn, plus the embedded Postgres it owns when no DATABASE_URL is set."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import uvicorn

from checkpoints import embedded
from server.auth import check_dev_mode
from server.logs import configure_logging
from tools.settings import Settings, get_settings

log = logging.getLogger("helpdesk.serve")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@contextmanager
def _signals_stop_cleanly() -> Iterator[None]:
    """SIGTERM unwinds the stack (so the embedded Postgres is stopped) instead of killing us.

    uvicorn restores this handler after its own graceful shutdown and re-raises the signal.
    """
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def owned_database(settings: Settings) -> Iterator[str | None]:
    """Start the embedded Postgres when no DATABASE_URL is set; stop it on the way out.

    Workers inherit its URL through the environment, so one Postgres serves them all.
    """
    if settings.database_url:
        yield None
        return
    server = embedded.start(settings.data_dir)
    url = embedded.uri(server)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield url
    finally:
        log.info("stopping the embedded Postgres")
        server.cleanup()


def _settings_from(host: str, port: int, data_dir: Path) -> Settings:
    os.environ.update(HOST=host, PORT=str(port), HELPDESK_DATA_DIR=str(data_dir))
    get_settings.cache_clear()
    return get_settings()


def serve(*, host: str, port: int, data_dir: Path, workers: int) -> int:
    """Run the server until Ctrl-C / SIGTERM; returns the exit code."""
    settings = _settings_from(host, port, data_dir)
    configure_logging(settings.log_level)
    try:
        check_dev_mode(settings, host, warn=False)  # the app warns when it starts
    except RuntimeError as exc:
        log.error(str(exc))
        return 2
    with _signals_stop_cleanly(), owned_database(settings):
        log.info("starting", extra={"host": host, "port": port, "mode": settings.mode})
        uvicorn.run("server.app:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_config=None, access_log=False, lifespan="on",
                    timeout_graceful_shutdown=10)
    return 0
