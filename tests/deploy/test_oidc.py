"""OIDC bearer tokens against a local JWKS server on 127.0.0.1 that rotates its keys."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from server.app import create_app
from server.oidc import jwks_client
from tests.server.helpers import assert_error, bearer, running, server_settings

ISSUER, AUDIENCE, SECRET = "https://idp.example.test/realms/acme", "helpdesk", "hs-secret-for-the-oidc-tests-0123456789"


class Keys:
    """A JWKS document that can be rotated, and how often it was fetched."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.served: list[tuple[str, Any, str]] = [("rsa-1", self.rsa, "RS256")]
        self.fetches = 0
        self.down = False

    def document(self) -> bytes:
        keys = []
        for kid, key, alg in self.served:
            jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        return json.dumps({"keys": keys}).encode()


@pytest.fixture(scope="module")
def keys() -> Iterator[tuple[Keys, str]]:
    state = Keys()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if state.down:
                self.send_response(503)
                self.end_headers()
                return
            state.fetches += 1
            body = state.document()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/certs"
    server.shutdown()
    server.server_close()


def token(key: Any, kid: str, alg: str, *, ttl: int = 300, **claims: Any) -> dict[str, str]:
    body = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + ttl,
            "preferred_username": "alice@acme", "org": {"dept": "Finance"}, "groups": ["requester"],
            **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, key, algorithm=alg, headers={'kid': kid})}"}


def _hs256_as_rs256(claims: dict[str, Any]) -> str:
    b64 = jwt.utils.base64url_encode
    signing = b".".join(b64(json.dumps(part).encode()) for part in
                        ({"alg": "RS256", "kid": "ec-2", "typ": "JWT"}, claims))
    mac = hmac.new(SECRET.encode(), signing, hashlib.sha256).digest()
    return (signing + b"." + b64(mac)).decode()


async def test_oidc_tokens_rotation_skew_and_claim_mapping(db_url: str, keys: tuple[Keys, str]) -> None:
    state, url = keys
    jwks_client.cache_clear()
    settings = server_settings(db_url, oidc_jwks_url=url, oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
                               auth_clock_skew_s=30, claim_user="preferred_username",
                               claim_department="org.dept", claim_role="groups",
                               auth_jwt_secret=SECRET, oidc_jwks_cooldown_s=0)
    async with running(create_app(settings)) as client:
        assert_error(await client.post("/agent", json={"message": "hi"}), 401, "UNAUTHENTICATED")
        alice = token(state.rsa, "rsa-1", "RS256")
        r = await client.post("/agent", json={"message": "hi"}, headers=alice)
        assert r.status_code == 200, r.text
        view = (await client.get(f"/threads/{r.json()['thread_id']}", headers=alice)).json()
        assert view["owner"] == "alice@acme"
        assert state.fetches == 1
        for _ in range(3):  # cached: no refetch per request
            assert (await client.get("/threads", headers=alice)).status_code == 200
        assert state.fetches == 1

        # the provider rotates to an EC key: an unknown kid makes us refetch once
        state.served = [("ec-2", state.ec, "ES256")]
        admin = token(state.ec, "ec-2", "ES256", preferred_username="bob", groups=["staff", "admin"])
        doc = {"doc_id": "oidc-doc", "title": "OIDC", "body": "Signed in with OIDC.", "lang": "en",
               "tags": []}
        r = await client.post("/kb/documents", json=doc, headers=admin)
        assert r.status_code in (200, 201), r.text
        assert state.fetches == 2
        # the retired key is refused, after exactly one more look at the key set
        assert_error(await client.get("/threads", headers=alice), 401, "UNAUTHENTICATED")
        assert state.fetches == 3
        forged = token(state.rsa, "nobody", "RS256")
        assert_error(await client.get("/threads", headers=forged), 401, "UNAUTHENTICATED")
        assert state.fetches == 4

        requester = token(state.ec, "ec-2", "ES256", groups=["staff"])  # no known role: requester
        assert_error(await client.post("/kb/documents", json=doc, headers=requester), 403, "FORBIDDEN")
        late = token(state.ec, "ec-2", "ES256", ttl=-10)  # expired 10 s ago, within the 30 s skew
        assert (await client.get("/threads", headers=late)).status_code == 200
        expired = token(state.ec, "ec-2", "ES256", ttl=-120)
        r = assert_error(await client.get("/threads", headers=expired), 401, "UNAUTHENTICATED")
        assert "expired" in r["message"]
        for bad in ({"aud": "other-service"}, {"iss": "https://evil.example.test"}):
            assert_error(await client.get("/threads", headers=token(state.ec, "ec-2", "ES256", **bad)),
                         401, "UNAUTHENTICATED")
        no_dept = token(state.ec, "ec-2", "ES256", org={})
        assert_error(await client.get("/threads", headers=no_dept), 401, "UNAUTHENTICATED")
        # a token signed with the HS256 secret in an RS256 disguise is not accepted as OIDC
        sneaky = _hs256_as_rs256({"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60,
                                  "preferred_username": "mallory", "org": {"dept": "IT"}})
        assert_error(await client.get("/threads", headers={"Authorization": f"Bearer {sneaky}"}),
                     401, "UNAUTHENTICATED")
        # HS256 stays for small setups
        r = await client.get("/threads", headers=bearer(SECRET, "carol"))
        assert r.status_code == 200, r.text

        state.down, state.served = True, [("ec-3", state.ec, "ES256")]
        unreachable = token(state.ec, "ec-3", "ES256")
        assert_error(await client.get("/threads", headers=unreachable), 503, "UNAVAILABLE")
        state.down = False
