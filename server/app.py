"""The app factory: `create_app(settings)` wires routers, errors, middleware and the lifespan."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from server import tracing
from server.auth import check_dev_mode
from server.bind import bound_hosts
from server.errors import install_error_handlers
from server.logs import add_secrets, configure_logging
from server.middleware import ObserveMiddleware
from server.openapi import install_openapi
from server.protocol import install as install_protocol
from server.routes import ROUTERS
from server.runtime import Runtime, open_runtime
from server.startup import OneLineStartupFailure, StartupError, load_settings, open_checked, report
from tools.nlu.model import warm as warm_models
from tools.settings import CODE_VERSION, Settings

RuntimeOpener = Callable[[Settings], Awaitable[Runtime]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
DESCRIPTION = (
    "IT helpdesk agent: knowledge-base answers, tickets, drafts and confirmed actions, in "
    "Chinese or English. Errors share one body: `{\"error\": {code, message, retryable, "
    "trace_id}}`; every response carries `X-Trace-Id`."
)


def _lifespan(settings: Settings, opener: RuntimeOpener) -> Lifespan:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_dev_mode(settings, bound_hosts(settings.host))  # the real bind, not HOST
        app.state.runtime = await open_checked(opener, settings)
        await asyncio.to_thread(warm_models)  # the planner's models, fitted once, before any turn
        try:
            yield
        finally:
            runtime, app.state.runtime = app.state.runtime, None
            await runtime.close()

    return lifespan


def create_app(settings: Settings, *, opener: RuntimeOpener = open_runtime) -> FastAPI:
    """A FastAPI app serving API.md; its resources open in the lifespan, close on shutdown."""
    app = FastAPI(title="Helpdesk agent", version=CODE_VERSION, description=DESCRIPTION,
                  lifespan=_lifespan(settings, opener), docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.runtime = None
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    install_openapi(app)
    if tracing.setup(settings):
        app.add_middleware(tracing.TraceMiddleware)  # inside Observe: it sees the trace id
    app.add_middleware(ObserveMiddleware)
    install_protocol(app)  # LangGraph Server routes and Studio's CORS (outside Observe)
    app.add_middleware(OneLineStartupFailure)
    return app


def app_from_env() -> FastAPI:
    """Entry point for uvicorn workers: settings from the environment, JSON logs."""
    configure_logging(os.environ.get("HELPDESK_LOG_LEVEL", "INFO"))
    try:
        settings = load_settings()
    except StartupError as exc:
        raise SystemExit(report(exc)) from None
    configure_logging(settings.log_level)
    add_secrets(settings.auth_jwt_secret, settings.openai_api_key)
    return create_app(settings)
