"""Who is calling: an OIDC token (provider JWKS) or a HS256 JWT when configured, else the dev
headers (loudly, and only on a loopback bind)."""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from server.oidc import actor_from_oidc
from server.startup import StartupError
from tools.domain import ROLES, Actor, Role
from tools.errors import Unauthenticated
from tools.settings import Settings

log = logging.getLogger("helpdesk.auth")
_NAME_RE = re.compile(r"^[A-Za-z0-9_.@:+-]{1,128}$")
DEV_WARNING = (
    "AUTH_JWT_SECRET is not set: DEV MODE, identity is taken from X-User-Id / X-Department / "
    "X-Role headers and anyone can act as anyone. Set AUTH_JWT_SECRET or AUTH_OIDC_JWKS_URL "
    "outside development."
)

bearer = HTTPBearer(auto_error=False, description="OIDC token (AUTH_OIDC_JWKS_URL) or HS256 JWT "
                    "(AUTH_JWT_SECRET) with sub, department, role, exp")
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


def mapped_actor(user: Any, department: Any, role: Any) -> Actor:
    """The actor of mapped OIDC claims (a token without a role claim acts as a requester)."""
    return Actor(_name(user, "the user claim"), _name(department, "the department claim"),
                 _role(role or "requester"))


def auth_configured(settings: Settings) -> bool:
    """True when bearer tokens are required (OIDC or HS256); false in dev mode."""
    return bool(settings.auth_jwt_secret or settings.oidc_jwks_url)


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
    if auth_configured(settings):
        if credentials is None:
            raise Unauthenticated("missing bearer token")
        actor = await _bearer_actor(settings, credentials.credentials)
    else:
        _refuse_dev_on_public(settings, request)
        actor = actor_from_headers(user, department, role)
    request.state.actor = actor.user_id
    return actor


async def _bearer_actor(settings: Settings, token: str) -> Actor:
    """HS256 when a secret is set and the token says HS256; otherwise OIDC, when configured."""
    header: dict[str, Any] = {}
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        pass
    if settings.auth_jwt_secret and (header.get("alg") == "HS256" or not settings.oidc_jwks_url):
        return actor_from_jwt(token, settings.auth_jwt_secret)  # our own clock: no skew
    return await actor_from_oidc(settings, token, mapped_actor)


def _refuse_dev_on_public(settings: Settings, request: Request) -> None:
    """The connection's local address is the real bind: dev identity only arrives on loopback."""
    server = request.scope.get("server")  # (ip, port) from a real server; a Unix socket: None
    if server and not settings.auth_allow_dev_on_public and _is_public_ip(str(server[0])):
        raise Unauthenticated("dev-mode identity is refused on a non-loopback address; the "
                              "server must be configured with AUTH_JWT_SECRET or OIDC")


CurrentActor = Annotated[Actor, Depends(current_actor)]


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1 addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_public_ip(host: str) -> bool:
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # not an address (an in-process test transport's host name)
        return False


def check_dev_mode(settings: Settings, host: str | list[str], *, warn: bool = True) -> None:
    """Warn about dev mode; refuse it on a non-loopback bind unless explicitly allowed."""
    if auth_configured(settings):
        return
    for address in [host] if isinstance(host, str) else host:
        if not is_loopback(address) and not settings.auth_allow_dev_on_public:
            raise StartupError(
                f"refusing dev-mode identity on non-loopback address {address!r}",
                "set AUTH_JWT_SECRET or AUTH_OIDC_JWKS_URL, bind to 127.0.0.1, or set "
                "AUTH_ALLOW_DEV_ON_PUBLIC=1 if you really mean it")
    if warn:
        log.warning(DEV_WARNING)
