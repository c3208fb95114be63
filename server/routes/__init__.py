"""One router per resource; `ROUTERS` is the order they are mounted in."""

from __future__ import annotations

from fastapi import APIRouter

from server.routes import agent, audit, drafts, health, kb, threads, tickets

ROUTERS: tuple[APIRouter, ...] = (
    agent.router, threads.router, tickets.router, drafts.router, audit.router, kb.router,
    health.router,
)
