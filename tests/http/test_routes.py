"""The app matches a request against one flat list of routes (see `ROUTERS` in app.py)."""

from __future__ import annotations

from fastapi.routing import APIRoute

from application.settings import Settings
from interfaces.http.app import ROUTERS, create_app


def test_every_route_of_every_router_is_matched_directly_by_the_app(
    api_settings: Settings,
) -> None:
    app = create_app(api_settings)
    api_routes = [route for route in app.routes if isinstance(route, APIRoute)]
    expected = [route for router in ROUTERS for route in router.routes]

    assert api_routes == expected
    assert len(app.routes) == len(api_routes) + 4, "only the docs' own routes besides"
