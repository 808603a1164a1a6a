"""Is the service up (liveness), and can it serve (readiness: its store answers and no view
it runs has failed)? Per view: its position, how far it lags, and its state (live,
rebuilding beside the live version, failed)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from application.errors import StoreUnavailableError
from interfaces.http.deps import CasesDep, SettingsDep

router = APIRouter(tags=["health"])


class LiveOut(BaseModel):
    status: Literal["live"]


class ViewStateOut(BaseModel):
    position: int = Field(description="the last event of the store the view has processed")
    lag: int = Field(description="events of the store not processed yet")
    state: Literal["live", "rebuilding", "failed"]
    rebuild_position: int | None = Field(None, description="rebuilding: how far it got")
    error: str | None = Field(None, description="failed: the kind of error (logged in full)")


class OutboxStateOut(BaseModel):
    position: int = Field(description="the last event the notification outbox has processed")
    lag: int = Field(description="events not processed yet (`subscriptions dispatch` does)")


class HealthOut(BaseModel):
    status: Literal["ok", "failed", "unavailable"]
    store: str = Field(examples=["postgres"])
    position: int | None = Field(None, description="the store's last event")
    views: dict[str, ViewStateOut] | None = None
    notifications: OutboxStateOut | None = None
    error: str | None = Field(None, description="unavailable: the kind of error")


HEALTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": HealthOut, "description": "The store answers and every view is live"},
    503: {
        "model": HealthOut,
        "description": "The store does not answer, or a view has failed (Retry-After)",
        "content": {
            "application/json": {
                "example": {"status": "unavailable", "store": "postgres", "error": "PoolTimeout"}
            }
        },
    },
}
RETRY = {"Retry-After": str(StoreUnavailableError.retry_after_seconds)}


@router.get("/health/live", response_model=None, responses={200: {"model": LiveOut}})
def live() -> JSONResponse:
    """200 while the process answers at all: for an orchestrator's liveness probe."""
    return JSONResponse({"status": "live"})


@router.get("/health", response_model=None, responses=HEALTH_RESPONSES)
def health(request: Request, cases: CasesDep, settings: SettingsDep) -> JSONResponse:
    """Readiness: 200 when the event store answers and every view this process runs is
    live; 503 when the store does not answer or a view's worker has failed (a bug: it
    stopped at the position shown, and serves nothing newer until the process restarts).
    A view kept by a separate `projections run` process shows its position and lag."""
    try:
        position = cases.position()
        views = view_states(request, position)
        outbox = request.app.state.notifications.position()
    except Exception as error:
        down = {"status": "unavailable", "store": settings.store, "error": type(error).__name__}
        return JSONResponse(down, status_code=503, headers=RETRY)
    failed = [name for name, view in views.items() if view["state"] == "failed"]
    body: dict[str, Any] = {
        "status": "failed" if failed else "ok",
        "store": settings.store,
        "position": position,
        "views": views,
        "notifications": {"position": outbox, "lag": position - outbox},
    }
    return JSONResponse(body, status_code=503 if failed else 200)


def view_states(request: Request, head: int) -> dict[str, dict[str, Any]]:
    views, upstream = request.app.state.views, request.app.state.cases.name
    states = {}
    for name, opened in sorted(views.opened.items()):
        position = opened.view.position(upstream)
        failure = views.failure(name)
        rebuilt_to = opened.view.rebuilding(upstream)
        state = "failed" if failure else "rebuilding" if rebuilt_to is not None else "live"
        states[name] = {"position": position, "lag": head - position, "state": state}
        if failure is not None:
            states[name]["error"] = type(failure).__name__
        if rebuilt_to is not None:
            states[name]["rebuild_position"] = rebuilt_to
    return states
