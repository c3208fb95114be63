"""The web pages: the chat page at `/`, the agent console at `/console`, their static files.

Plain HTML, CSS and JavaScript shipped as package data (server/static), no CDN: the pages call
the same HTTP API as any client, with the same identity and authorization.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from server.action_schemas import Me
from server.deps import CurrentActor, SettingsDep
from server.openapi import BASE, errors
from tools.errors import NotFound

STATIC = FsPath(__file__).resolve().parent.parent / "static"
ASSET = r"^[a-z0-9_-]{1,64}\.(js|css|svg|txt)$"
NO_STORE = {"Cache-Control": "no-cache"}  # pages revalidate: a new release is seen at once

router = APIRouter()


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html; charset=utf-8", headers=NO_STORE)


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The chat page."""
    return _page("chat.html")


@router.get("/console", include_in_schema=False)
async def console_page() -> FileResponse:
    """The agent console."""
    return _page("console.html")


@router.get("/static/{name}", include_in_schema=False)
async def static_file(name: Annotated[str, Path(pattern=ASSET)]) -> FileResponse:
    """A script, style sheet or icon of the pages."""
    path = STATIC / name
    if not path.is_file():
        raise NotFound(f"no static file {name}")
    return FileResponse(path, headers=NO_STORE)


@router.get("/me", response_model=Me, tags=["identity"], responses=errors(*BASE))
async def whoami(actor: CurrentActor, settings: SettingsDep) -> Any:
    """Who the server takes the caller for, and whether identity is a JWT or dev headers."""
    return Me(user_id=actor.user_id, department=actor.department, role=actor.role,
              auth="jwt" if settings.auth_jwt_secret else "dev")
