"""Is the service up and its store reachable?"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from application.errors import StoreUnavailableError
from interfaces.http.deps import CasesDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=None)
def health(cases: CasesDep, settings: SettingsDep) -> JSONResponse:
    """200 when the event store answers, 503 when it does not."""
    try:
        position = cases.position()
    except Exception as error:
        return JSONResponse(
            {"status": "unavailable", "store": settings.store, "error": type(error).__name__},
            status_code=503,
            headers={"Retry-After": str(StoreUnavailableError.retry_after_seconds)},
        )
    return JSONResponse({"status": "ok", "store": settings.store, "position": position})
