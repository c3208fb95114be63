"""One router per resource; `ROUTERS` is the order they are mounted in."""

from __future__ import annotations

from fastapi import APIRouter

from server.routes import agent, audit, drafts, health, kb, pages, threads, ticket_actions, tickets

ROUTERS: tuple[APIRouter, ...] = (
    agent.router, threads.router, tickets.router, drafts.router, audit.router, kb.router,
    health.router, ticket_actions.router, pages.router,
)
