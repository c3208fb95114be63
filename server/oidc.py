"""OIDC bearer tokens: verified against the provider's JWKS (RS256/ES256), claims mapped to an Actor.

PyJWT's PyJWKClient caches the key set; a token whose `kid` is not in the cache makes it fetch
the set again once (key rotation), and an unknown `kid` after that is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jwt

from tools.domain import ROLES, Actor
from tools.errors import Unauthenticated, Unavailable
from tools.settings import Settings


@lru_cache(maxsize=8)
def jwks_client(url: str, cache_s: int, cooldown_s: float) -> jwt.PyJWKClient:
    """One caching JWKS client per key-set URL (shared by all requests of the process).

    An unknown `kid` forces one refetch, at most once per `cooldown_s` (so a flood of made-up
    kids cannot turn into a flood of fetches at the provider).
    """
    return jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=max(cache_s, 1), timeout=5,
                           cache_keys=False, cooldown_duration=cooldown_s)


def claim(claims: dict[str, Any], path: str) -> Any:
    """The claim at dotted `path` ("realm_access.roles"), or None."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def role_of(value: Any) -> Any:
    """A role claim may be a list of roles (groups): the most privileged role we know wins."""
    if isinstance(value, list):
        known = [role for role in ROLES if role in value]
        return known[-1] if known else None
    return value


def signing_key(settings: Settings, token: str) -> Any:
    """The provider's key for this token (fetched or cached)."""
    assert settings.oidc_jwks_url
    client = jwks_client(settings.oidc_jwks_url, settings.oidc_jwks_cache_s,
                         settings.oidc_jwks_cooldown_s)
    try:
        return client.get_signing_key_from_jwt(token).key
    except jwt.PyJWKClientConnectionError as exc:
        raise Unavailable("the identity provider's signing keys could not be fetched; retry "
                          "shortly", retry_after=5) from exc
    except jwt.PyJWKClientError as exc:  # no such kid, even after refetching
        raise Unauthenticated("the token is signed by an unknown key") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("invalid bearer token") from exc


def oidc_claims(settings: Settings, token: str) -> dict[str, Any]:
    """Verified claims of an OIDC access or ID token (blocking: fetches keys when needed)."""
    key = signing_key(settings, token)
    required = ["exp", "iss"] if settings.oidc_issuer else ["exp"]
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=settings.oidc_algorithms, audience=settings.oidc_audience or None,
            issuer=settings.oidc_issuer or None, leeway=settings.auth_clock_skew_s,
            options={"require": required, "verify_aud": bool(settings.oidc_audience)})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the token has expired") from exc
    except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
        raise Unauthenticated(f"the token is not for this service ({exc})") from exc
    except (jwt.PyJWTError, TypeError, ValueError) as exc:  # a key of another type: TypeError
        raise Unauthenticated("invalid bearer token") from exc
    return claims


async def actor_from_oidc(settings: Settings, token: str,
                          make: Callable[[Any, Any, Any], Actor]) -> Actor:
    """The actor of an OIDC token; `make(user, department, role)` validates the mapped claims."""
    claims = await asyncio.to_thread(oidc_claims, settings, token)
    return make(claim(claims, settings.claim_user), claim(claims, settings.claim_department),
                role_of(claim(claims, settings.claim_role)))
