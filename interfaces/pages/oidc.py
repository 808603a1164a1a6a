"""Signing in to the pages with the organisation's identity provider: OpenID Connect's
authorization code flow (authlib's OAuth 2 client). The ID token is verified against the
provider's published keys (issuer, audience, expiry, and the nonce this session sent);
its claims name the user the way our bearer tokens do (`org`, `roles`, `municipality`,
`team`; `case_id` and `member_id` for a family member)."""

from __future__ import annotations

import secrets
import warnings
from typing import Any

import httpx
import jwt
from fastapi import APIRouter, Request
from fastapi.responses import Response

from application.settings import Settings
from domain.authorization import User
from interfaces.http.problems import ProblemError
from interfaces.pages.session import Session
from interfaces.pages.web import html_errors, kit, see_other, signed_in_response
from interfaces.tokens import InvalidTokenError, user_from_claims

router = APIRouter(include_in_schema=False)
CALLBACK = "/aanmelden/oidc/terug"
ALGORITHMS = ["RS256", "ES256", "PS256"]


class OidcClient:
    """One identity provider, found through its discovery document."""

    def __init__(self, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self._metadata: dict[str, Any] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcClient | None:
        if not settings.oidc_issuer:
            return None
        return cls(
            settings.oidc_issuer,
            settings.oidc_client_id,
            settings.oidc_client_secret.get_secret_value(),
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            async with httpx.AsyncClient(timeout=5) as http:
                found = await http.get(f"{self.issuer}/.well-known/openid-configuration")
                found.raise_for_status()
                self._metadata = dict(found.json())
        return self._metadata

    def _client(self, redirect_uri: str) -> Any:
        """authlib's OAuth 2 client (imported here: only a deployment with OIDC needs it,
        and importing it switches on authlib's own deprecation warnings process-wide)."""
        with warnings.catch_warnings():  # its notice that httpx2 is coming, on import
            import authlib.deprecate  # noqa: F401  (puts its own "always" filter first)

            warnings.simplefilter("ignore", DeprecationWarning)
            from authlib.integrations.httpx_client import AsyncOAuth2Client

        return AsyncOAuth2Client(
            self.client_id,
            self.client_secret,
            scope="openid profile",
            redirect_uri=redirect_uri,
            timeout=5,
        )

    async def start(self, redirect_uri: str) -> tuple[str, str, str]:
        """Where to send the browser, with the state and nonce it must come back with."""
        meta = await self.metadata()
        nonce = secrets.token_urlsafe(24)
        async with self._client(redirect_uri) as client:
            url, state = client.create_authorization_url(
                meta["authorization_endpoint"], nonce=nonce
            )
        return str(url), str(state), nonce

    async def finish(self, code: str, redirect_uri: str, nonce: str) -> User:
        """Trade the code for tokens and name the user from the verified ID token."""
        from authlib.integrations.base_client.errors import OAuthError

        meta = await self.metadata()
        try:
            async with self._client(redirect_uri) as client:
                token = await client.fetch_token(meta["token_endpoint"], code=code)
                keys = await client.get(meta["jwks_uri"])
                keys.raise_for_status()
        except (OAuthError, httpx.HTTPError, ValueError) as error:
            raise InvalidTokenError(f"the identity provider refused the code: {error}") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise InvalidTokenError("the identity provider sent no ID token")
        claims = self._verified(id_token, keys.json())
        if claims.get("nonce") != nonce:
            raise InvalidTokenError("the ID token's nonce is not this sign-in's")
        return user_from_claims(claims)

    def _verified(self, id_token: str, jwks: dict[str, Any]) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            keys = jwt.PyJWKSet.from_dict(jwks).keys
            key = next((k for k in keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise InvalidTokenError("the ID token's key is not the provider's")
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from None
        return claims


def client_of(request: Request) -> OidcClient:
    client: OidcClient | None = request.app.state.oidc
    if client is None:
        raise ProblemError(404, "Not found", "Aanmelden via de organisatie is niet ingesteld.")
    return client


@router.get("/aanmelden/oidc")
@html_errors
async def sign_in_with_provider(request: Request) -> Response:
    """Send the browser to the identity provider."""
    client = client_of(request)
    session = kit(request).sessions.read(request) or Session()
    url, state, nonce = await client.start(str(request.url_for("oidc_callback")))
    response = see_other(url)
    kit(request).sessions.write(request, response, session.pending(state, nonce))
    return response


@router.get(CALLBACK, name="oidc_callback")
@html_errors
async def oidc_callback(
    request: Request, code: str = "", state: str = "", error: str = ""
) -> Response:
    """The provider sends the browser back: check the state, verify, sign in."""
    client = client_of(request)
    session = kit(request).sessions.read(request)
    expected = session.oidc_state if session else None
    if error or not code or expected is None or not secrets.compare_digest(expected, state):
        raise ProblemError(403, "Forbidden", "Het aanmelden is niet gelukt; probeer het opnieuw.")
    assert session is not None and session.oidc_nonce is not None
    try:
        user = await client.finish(code, str(request.url_for("oidc_callback")), session.oidc_nonce)
    except InvalidTokenError as problem:
        raise ProblemError(403, "Forbidden", f"Aanmelden geweigerd: {problem}") from None
    return signed_in_response(request, session, user)
