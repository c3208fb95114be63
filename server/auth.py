"""Who is calling: a HS256 JWT when a secret is set, else the dev headers (loudly)."""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from tools.domain import ROLES, Actor, Role
from tools.errors import Unauthenticated
from tools.settings import Settings

log = logging.getLogger("helpdesk.auth")
_NAME_RE = re.compile(r"^[A-Za-z0-9_.@:+-]{1,128}$")
DEV_WARNING = (
    "AUTH_JWT_SECRET is not set: DEV MODE, identity is taken from X-User-Id / X-Department / "
    "X-Role headers and anyone can act as anyone. Set AUTH_JWT_SECRET outside development."
)

bearer = HTTPBearer(auto_error=False, description="HS256 JWT with sub, department, role, exp")
dev_user = APIKeyHeader(name="X-User-Id", auto_error=False, scheme_name="DevUser",
                        description="dev mode only (no AUTH_JWT_SECRET): the user id")
dev_department = APIKeyHeader(name="X-Department", auto_error=False, scheme_name="DevDepartment",
                              description="dev mode only: the user's department")
dev_role = APIKeyHeader(name="X-Role", auto_error=False, scheme_name="DevRole",
                        description="dev mode only: requester | agent | admin")


def _role(value: Any) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise Unauthenticated("role must be requester, agent or admin")


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise Unauthenticated(f"{what} must be 1-128 letters, digits or _.@:+-")
    return value


def actor_from_jwt(token: str, secret: str) -> Actor:
    """Verify the token and read the actor from its claims."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"],
                            options={"require": ["sub", "department", "role", "exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("invalid bearer token") from exc
    return Actor(_name(claims["sub"], "sub"), _name(claims["department"], "department"),
                 _role(claims["role"]))


def actor_from_headers(user: str | None, department: str | None, role: str | None) -> Actor:
    """The dev-mode actor (defaults of API.md for missing headers)."""
    return Actor(_name(user or "demo-user", "X-User-Id"),
                 _name(department or "IT", "X-Department"), _role(role or "requester"))


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    user: Annotated[str | None, Depends(dev_user)],
    department: Annotated[str | None, Depends(dev_department)],
    role: Annotated[str | None, Depends(dev_role)],
) -> Actor:
    """The authenticated actor of this request (401 UNAUTHENTICATED otherwise)."""
    settings: Settings = request.app.state.settings
    if settings.auth_jwt_secret:
        if credentials is None:
            raise Unauthenticated("missing bearer token")
        actor = actor_from_jwt(credentials.credentials, settings.auth_jwt_secret)
    else:
        actor = actor_from_headers(user, department, role)
    request.state.actor = actor.user_id
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1 addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_dev_mode(settings: Settings, host: str, *, warn: bool = True) -> None:
    """Warn about dev mode; refuse it on a non-loopback bind unless explicitly allowed."""
    if settings.auth_jwt_secret:
        return
    if not is_loopback(host) and not settings.auth_allow_dev_on_public:
        raise RuntimeError(
            f"refusing dev-mode identity on non-loopback address {host!r}: set AUTH_JWT_SECRET, "
            "bind to 127.0.0.1, or set AUTH_ALLOW_DEV_ON_PUBLIC=1 if you really mean it")
    if warn:
        log.warning(DEV_WARNING)
