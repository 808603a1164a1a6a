"""The app matches a request against one flat list of routes (see `ROUTERS` in app.py)."""

from __future__ import annotations

from fastapi.routing import APIRoute

from application.settings import Settings
from interfaces.http.app import ROUTERS, create_app
from interfaces.pages.install import page_routes


def test_every_route_of_every_router_is_matched_directly_by_the_app(
    api_settings: Settings,
) -> None:
    app = create_app(api_settings)
    pages = page_routes()
    docs = ("/docs", "/redoc")
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path not in docs]
    api_routes = [r for r in routes if r not in pages]
    expected = [route for router in ROUTERS for route in router.routes]

    assert api_routes == expected
    assert [r for r in routes if r in pages] == pages
    assert not any(r.include_in_schema for r in pages), "the OpenAPI document is the API's"
    # /openapi.json, /docs, /redoc, the docs' assets and the pages' stylesheet besides
    assert len(app.routes) == len(routes) + 5
