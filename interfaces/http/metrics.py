"""`/metrics` in Prometheus's text format: requests per route and status with their
latency, each view's position, lag and state, the store's position, access-log commit
latency, the database pools and the case cache. One registry per app (a process serves
one app; tests make many). Nothing in it names a case or a person."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(tags=["health"])
PREFIX = "gezinsregie"


class Metrics:
    def __init__(self, app: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            f"{PREFIX}_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["method", "route"],
            registry=self.registry,
        )
        self.access_log_commit = Histogram(
            f"{PREFIX}_access_log_commit_seconds",
            "From handing a read's record to the access log until it is committed",
            registry=self.registry,
        )
        self.registry.register(StateCollector(app))

    def observe_commit(self, written: Future[Any]) -> None:
        started = time.perf_counter()
        written.add_done_callback(
            lambda _: self.access_log_commit.observe(time.perf_counter() - started)
        )


class StateCollector(Collector):
    """Read at each scrape: views, store, pools, case cache."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        state = self.app.state
        if not hasattr(state, "cases"):
            return
        cases = state.cases
        head = cases.position()
        yield GaugeMetricFamily(f"{PREFIX}_store_position", "Position of the last event", head)
        position = GaugeMetricFamily(
            f"{PREFIX}_view_position", "Position a view has processed", labels=["view"]
        )
        lag = GaugeMetricFamily(
            f"{PREFIX}_view_lag_events", "Events a view is behind the store", labels=["view"]
        )
        failed = GaugeMetricFamily(
            f"{PREFIX}_view_failed",
            "1 when this process's worker of the view failed",
            labels=["view"],
        )
        for name, opened in sorted(state.views.opened.items()):
            at = opened.view.position(cases.name)
            position.add_metric([name], at)
            lag.add_metric([name], head - at)
            failed.add_metric([name], 1 if state.views.failure(name) is not None else 0)
        yield from (position, lag, failed)
        cache = CounterMetricFamily(
            f"{PREFIX}_case_cache_lookups", "Case cache lookups, by result", labels=["result"]
        )
        cache.add_metric(["hit"], cases.case_cache.hits)
        cache.add_metric(["miss"], cases.case_cache.misses)
        yield cache
        yield from pool_metrics(cases)


def pool_metrics(cases: Any) -> Iterator[GaugeMetricFamily]:
    """The case store's PostgreSQL connection pool (none on SQLite)."""
    pool = getattr(getattr(cases.recorder, "datastore", None), "pool", None)
    stats = getattr(pool, "get_stats", None)
    if stats is None:
        return
    numbers = stats()
    family = GaugeMetricFamily(
        f"{PREFIX}_db_pool_connections", "Case store pool connections", labels=["state"]
    )
    family.add_metric(["open"], numbers.get("pool_size", 0))
    family.add_metric(["idle"], numbers.get("pool_available", 0))
    family.add_metric(["waiting_requests"], numbers.get("requests_waiting", 0))
    yield family


class RequestMetrics:
    """Counts and times every request by its route template (not its path: no ids)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus's text format; for the scraper inside the deployment."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
