"""A small OpenID Connect provider for the sign-in test: discovery, an authorization
endpoint that sends the browser straight back with a code (the person "signs in" at once),
a token endpoint that checks the client's secret and the code, and its key set. It signs
ID tokens with a key of its own (RS256), with the nonce it was given."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

CLIENT_ID, CLIENT_SECRET = "gezinsregie-pages", "provider-secret"
KID = "fake-key-1"


def fake_provider(claims: dict[str, Any]) -> FastAPI:
    """The provider; its issuer is the URL it is served at, set as `app.state.issuer`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    nonces: dict[str, str] = {}
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, str]:
        issuer = app.state.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks",
        }

    @app.get("/authorize")
    def authorize(
        client_id: str, redirect_uri: str, state: str, nonce: str, response_type: str
    ) -> RedirectResponse:
        assert (client_id, response_type) == (CLIENT_ID, "code")
        code = secrets.token_urlsafe(16)
        nonces[code] = nonce
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

    @app.post("/token")
    def token(request: Request, code: str = Form(), grant_type: str = Form()) -> dict[str, Any]:
        given = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if given != f"Basic {expected}":
            raise HTTPException(401)
        if grant_type != "authorization_code" or code not in nonces:
            raise HTTPException(400)
        now = int(time.time())
        id_token = jwt.encode(
            {
                **claims,
                "iss": app.state.issuer,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": nonces.pop(code),
            },
            key,
            algorithm="RS256",
            headers={"kid": KID},
        )
        return {"access_token": "at", "token_type": "Bearer", "id_token": id_token}

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    return app
