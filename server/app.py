"""The app factory: `create_app(settings)` wires routers, errors, middleware and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from server.auth import check_dev_mode
from server.errors import install_error_handlers
from server.logs import configure_logging
from server.middleware import ObserveMiddleware
from server.openapi import install_openapi
from server.protocol import install as install_protocol
from server.routes import ROUTERS
from server.runtime import Runtime, open_runtime
from tools.settings import CODE_VERSION, Settings, get_settings

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
        check_dev_mode(settings, settings.host)
        app.state.runtime = await opener(settings)
        try:
            yield
        finally:
            runtime, app.state.runtime = app.state.runtime, None
            await runtime.close()

    return lifespan


def create_app(settings: Settings, *, opener: RuntimeOpener = open_runtime) -> FastAPI:
    """A FastAPI app serving API.md; its resources open in the lifespan, close on shutdown."""
    app = FastAPI(title="Helpdesk agent", version=CODE_VERSION, description=DESCRIPTION,
                  lifespan=_lifespan(settings, opener))
    app.state.settings = settings
    app.state.runtime = None
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(ObserveMiddleware)
    install_protocol(app)  # LangGraph Server routes and Studio's CORS (outermost)
    return app


def app_from_env() -> FastAPI:
    """Entry point for uvicorn workers: settings from the environment, JSON logs."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
