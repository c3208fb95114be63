"""The LangGraph Server (Agent Protocol) API on our own threads, runner, lease, auth and audit.

langgraph-sdk, RemoteGraph, agent-chat-ui and LangGraph Studio speak it; the shapes follow
langgraph-api 0.16 / langgraph-sdk 0.4. `ROUTERS` mount it; `install_cors` lets Studio in.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from server.protocol import assistants, run_reads, runs, thread_ops, threads

ROUTERS: tuple[APIRouter, ...] = (assistants.router, thread_ops.router, threads.router, runs.router,
                                  run_reads.router)
STUDIO_ORIGIN = "https://smith.langchain.com"


def install(app: FastAPI) -> None:
    """Mount the protocol routes and the CORS policy Studio needs (its origin, Content-Location)."""
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        CORSMiddleware, allow_origins=[STUDIO_ORIGIN], allow_origin_regex=r"https?://(localhost|127\.0\.0\.1)(:\d+)?",
        allow_credentials=True, allow_methods=["*"], allow_headers=["*"],
        expose_headers=["Content-Location", "Location", "X-Trace-Id"], allow_private_network=True)
