"""The FastAPI application, built from settings in a factory: nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from application.access_log import open_access_log
from application.cases import CaseApplication
from application.clock import Clock, SystemClock
from application.idempotency import open_idempotency_keys
from application.notifications.stores import open_notification_store
from application.persistence import setup_lock
from application.settings import Settings, load_settings
from interfaces.http import metrics, offline_docs
from interfaces.http.collector import tuned_for_serving
from interfaces.http.idempotency import KEY_PARAMETER, IdempotentPosts
from interfaces.http.metrics import Metrics, RequestMetrics
from interfaces.http.middleware import BodySizeLimit, RequestLog
from interfaces.http.problems import install_problem_handlers, problems_as_problem_json
from interfaces.http.read_log import LoggedBeforeSent
from interfaces.http.routers import (
    access_log,
    audit,
    case_list,
    cases,
    commands,
    coordination,
    health,
    reports,
    subscriptions,
    waitlist,
)
from interfaces.http.views import Views
from interfaces.http.worker_threads import request_threads
from interfaces.pages import install as pages
from interfaces.tokens import TokenService
from projections.overview_entries import OverviewEntries

API_DESCRIPTION = """Coordinate care around families: every fact about a family case is an
event. Commands answer with a `position`; queries take `?position=` to read your own
writes. Errors are `application/problem+json`. Authenticate with `Authorization: Bearer
<JWT>` (`gezinsregie token --help`)."""


ROUTERS = (
    case_list.router,
    cases.router,
    commands.router,
    coordination.router,
    waitlist.router,
    access_log.router,
    audit.router,
    reports.router,
    subscriptions.router,
    health.router,
    metrics.router,
)
"""Their routes join the app's own list as they are (each router carries its prefix and
the problem responses), rather than through `include_router`: FastAPI (0.165) matches an
included router's routes twice per request, each through wrappers of its own, which cost
~6% of a request's CPU; a flat list is matched once, route by route."""

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_served_app() -> FastAPI:
    """The API as `gezinsregie serve` runs it (uvicorn's factory, in every worker): with
    the garbage collector tuned for a long-running server (`collector`)."""
    return create_app(tuned_collector=True)


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, *, tuned_collector: bool = False
) -> FastAPI:
    """Build the API. The case application is opened on startup and closed on shutdown."""
    settings = settings or load_settings()
    tokens = TokenService(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with setup_lock(settings):
            app.state.cases = CaseApplication(settings, clock or SystemClock())
            app.state.access_log = open_access_log(settings, app.state.cases.events_table)
            app.state.idempotency = open_idempotency_keys(settings)
            app.state.notifications = open_notification_store(settings)
            app.state.views = Views.start(settings, app.state.cases)
            app.state.overview_entries = OverviewEntries()
            app.state.request_threads = request_threads()
        try:
            with tuned_for_serving() if tuned_collector else nullcontext():
                yield
        finally:
            app.state.request_threads.shutdown(wait=True)
            app.state.views.stop()
            app.state.idempotency.close()
            app.state.notifications.close()
            app.state.access_log.close()
            app.state.cases.close()

    app = FastAPI(
        title="gezinsregie",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        telemetry=None if settings.opentelemetry else NO_TELEMETRY,
        docs_url=None,  # offline_docs serves them from an installed package, not a CDN
        redoc_url=None,
    )
    app.state.settings, app.state.tokens = settings, tokens
    install_problem_handlers(app)
    for router in ROUTERS:
        app.router.routes.extend(router.routes)
    offline_docs.install(app)
    pages.install(app, settings)
    app.openapi = lambda: problems_as_problem_json(app, [KEY_PARAMETER])  # type: ignore[method-assign]
    app.state.metrics = Metrics(app)
    app.add_middleware(LoggedBeforeSent)  # innermost: the request log sees a refusal's 503
    app.add_middleware(IdempotentPosts)  # keeps answers as sent, within the body size limit
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(RequestLog)
    return app
