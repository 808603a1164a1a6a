"""`/docs` (Swagger UI) and `/redoc` served from an installed package, not a CDN: in a
closed care network the docs must render without reaching any outside host.

The JavaScript, CSS and favicon come from the `fastapi-offline` package's static files
(Swagger UI's bundle and ReDoc's standalone build); nothing of theirs is copied into this
repository. Google Fonts and Swagger UI's online validator, which FastAPI's pages would
call, are switched off."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = "/docs-assets"
"""Where the package's files are served."""
SAME_HOST_ONLY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
    "font-src 'self' data:"
)
"""The browser fetches nothing from another host, not even what the builds themselves
name (ReDoc's sidebar shows a logo from its vendor's CDN): such a request is not made."""
HIDE_VENDOR_LOGO = '<style>img[src^="https:"], img[src^="http:"] { display: none; }</style>'


def assets_directory() -> Path:
    """The installed package's static files (Swagger UI and ReDoc builds)."""
    return Path(str(files("fastapi_offline") / "static"))


def same_host_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = SAME_HOST_ONLY
    return page


def install(app: FastAPI, openapi_url: str = "/openapi.json") -> None:
    """Add `/docs`, `/redoc` and their assets to `app` (built with docs_url=None,
    redoc_url=None, so FastAPI's CDN pages are not made)."""
    title = f"{app.title} — API"
    favicon = f"{ASSETS}/favicon.png"

    async def swagger_ui() -> HTMLResponse:
        return same_host_only(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=title,
                swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS}/swagger-ui.css",
                swagger_favicon_url=favicon,
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
        html = bytes(page.body).decode().replace("</head>", f"{HIDE_VENDOR_LOGO}</head>", 1)
        return same_host_only(HTMLResponse(html))

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)
    app.mount(ASSETS, StaticFiles(directory=assets_directory()), name="docs-assets")
