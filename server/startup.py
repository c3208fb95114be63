"""Start-up checks with one clear line each: what is wrong and how to fix it, never a traceback.

`helpdesk serve` runs them before uvicorn; the app's lifespan turns the same expected failures
into one line too (for `uvicorn server.app:app_from_env --factory`).
"""

from __future__ import annotations

import errno
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from pydantic import ValidationError

from server.logs import mask
from tools.settings import Settings, get_settings

log = logging.getLogger("helpdesk.startup")
EMBEDDED_HINT = "unset DATABASE_URL to use the embedded Postgres"
T = TypeVar("T")
_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class StartupError(RuntimeError):
    """An expected start-up failure; `str()` is the one line to show, `fix` how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(mask(f"{problem}: {fix}"))
        self.problem, self.fix = mask(problem), fix


def load_settings() -> Settings:
    """The settings from the environment, or a StartupError naming each bad variable."""
    try:
        get_settings.cache_clear()
        return get_settings()
    except ValidationError as exc:
        bad = "; ".join(f"{_name(e['loc'])}={_shown(e['loc'], e.get('input'))}: {e['msg']}"
                        for e in exc.errors())
        raise StartupError(f"invalid settings ({bad})",
                           "fix these environment variables (or .env entries)") from None


def _name(loc: tuple[Any, ...]) -> str:
    return ".".join(map(str, loc))


def _shown(loc: tuple[Any, ...], value: Any) -> str:
    """The bad value, unless the variable holds a secret."""
    secret = any(word in _name(loc).upper() for word in ("SECRET", "KEY", "PASSWORD", "TOKEN"))
    return "***" if secret else repr(value)


def check_database_url(url: str) -> None:
    """A postgresql:// URL (or libpq conninfo); anything else is refused before connecting."""
    scheme = urlsplit(url).scheme if "://" in url else ""
    if "://" in url and scheme not in _SCHEMES:
        raise StartupError(f"DATABASE_URL {url} is not a postgresql:// URL",
                           f"use postgresql://user:password@host:5432/dbname, or {EMBEDDED_HINT}")
    try:
        psycopg.conninfo.conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
    except psycopg.ProgrammingError as exc:
        raise StartupError(f"DATABASE_URL {url} is malformed ({first_line(exc)})",
                           f"fix it, or {EMBEDDED_HINT}") from None


def check_database_reachable(url: str, timeout_s: int = 5) -> None:
    """Connect once; an unreachable or refusing server is a StartupError."""
    check_database_url(url)
    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                             connect_timeout=timeout_s):
            pass
    except psycopg.Error as exc:
        raise StartupError(f"cannot connect to the database at {url} ({first_line(exc)})",
                           f"check DATABASE_URL and that Postgres is running, or {EMBEDDED_HINT}"
                           ) from None


def check_port_free(host: str, port: int) -> None:
    """The address can be bound (uvicorn binds it the same way, with SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(f"cannot bind to host {host!r} ({exc.strerror})",
                           "pass an address of this machine with --host (or HOST)") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(f"port {port} on {host} is already in use",
                                   "stop the other server or pick another port with --port "
                                   "(or PORT)") from None
            raise StartupError(f"cannot bind to {host}:{port} ({exc.strerror})",
                               "pick another --host/--port") from None


async def open_checked(opener: Callable[[Settings], Awaitable[T]], settings: Settings) -> T:
    """`opener(settings)`, with a database that cannot be reached or started as a StartupError."""
    from checkpoints.embedded import EmbeddedPostgresError
    from tools.errors import DATABASE_DOWN

    try:
        return await opener(settings)
    except EmbeddedPostgresError as exc:
        raise StartupError(first_line(exc), "check HELPDESK_DATA_DIR, or set DATABASE_URL") from None
    except DATABASE_DOWN as exc:
        where = settings.database_url or "the embedded Postgres"
        raise StartupError(f"cannot use the database at {where} ({first_line(exc)})",
                           f"check DATABASE_URL and that Postgres is running, or {EMBEDDED_HINT}"
                           ) from None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (libpq errors carry several)."""
    text = str(exc).strip().splitlines()
    return mask(text[0].strip() if text else type(exc).__name__)


def report(exc: StartupError) -> int:
    """Log the one line and return the exit code for an expected start-up failure."""
    log.error(str(exc), extra={"fix": exc.fix})
    return 2


class OneLineStartupFailure:
    """ASGI wrapper: a StartupError in the lifespan is reported as its one line, no traceback.

    Starlette sends `lifespan.startup.failed` with the formatted traceback while it handles the
    exception; this swaps in the StartupError's own line, which uvicorn then logs.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Pass everything through; rewrite the startup failure message of a StartupError."""
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_one_line(message: Any) -> None:
            failure = sys.exc_info()[1]
            if message["type"] == "lifespan.startup.failed" and isinstance(failure, StartupError):
                message = {**message, "message": str(failure)}
            await send(message)

        await self.app(scope, receive, send_one_line)
