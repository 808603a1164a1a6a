"""Adds the pages to the API's app: their routes (kept out of the OpenAPI document, which
stays the JSON API's), their own stylesheet, and the session cookie's key."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.staticfiles import StaticFiles

from application.settings import Settings
from interfaces.pages import case_pages, coordination_pages, family_pages, oidc, signin
from interfaces.pages.overview_memo import Memo
from interfaces.pages.session import Sessions
from interfaces.pages.web import PageKit, SignInRequiredError, see_other
from interfaces.tokens import local_secret

log = logging.getLogger("gezinsregie.pages")
STATIC = Path(__file__).parent / "static"
ROUTERS = (
    signin.router,
    oidc.router,
    coordination_pages.router,
    family_pages.router,
    case_pages.router,
)


def page_routes() -> list[APIRoute]:
    """Every page's route (tests tell them from the API's)."""
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def install(app: FastAPI, settings: Settings) -> None:
    app.state.pages = PageKit.build(Sessions(session_key(settings)))
    app.state.oidc = oidc.OidcClient.from_settings(settings)
    app.state.page_memo = Memo()
    for router in ROUTERS:
        app.router.routes.extend(router.routes)
    app.mount("/pagina-stijl", StaticFiles(directory=STATIC), name="page-assets")

    async def to_sign_in(_: Request, __: Exception) -> Response:
        return see_other("/aanmelden")

    app.add_exception_handler(SignInRequiredError, to_sign_in)


def session_key(settings: Settings) -> bytes:
    """The configured session secret; else one derived from the JWT secret (HS256), so
    every process of a deployment agrees; else a key of this process only (sessions then
    end with the process), which is logged."""
    configured = settings.session_secret.get_secret_value()
    if configured:
        return configured.encode()
    if settings.jwt_algorithm == "HS256" and (
        settings.store == "sqlite" or settings.jwt_secret.get_secret_value()
    ):
        return hmac.new(local_secret(settings).encode(), b"pages-session", hashlib.sha256).digest()
    log.warning("no GEZINSREGIE_SESSION_SECRET: page sessions last as long as this process")
    return secrets.token_bytes(32)
