"""The database goes away and comes back while the API serves (PostgreSQL, through a proxy
the test cuts: every connection closed, new ones refused, then the same port again).

While it is away every request answers 503 with Retry-After, promptly: nothing hangs, no
500. Once it is back, requests succeed again without a restart, the in-process projection
workers catch up by themselves, and every acknowledged write is there."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from application.clock import FixedClock
from application.settings import Settings
from domain.authorization import Role, User
from interfaces.http.app import create_app
from tests.cuttable_proxy import CuttableProxy
from tests.http.conftest import COORDINATOR_USER, Headers, melding_json

POSTGRES_ONLY = pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
AUDITOR = User("auditor-1", "inspectie", frozenset({Role.AUDITOR}))
HANG_GUARD_SECONDS = 20.0
"""Not a latency target (bench/outage.py measures those): an answer this late is a hang,
as before the fix, when requests waited ~50 s for a database that was down."""
CONVERSATION = {"kind": "clarification", "minutes": "10", "writing_minutes": "5"}

pytestmark = POSTGRES_ONLY


@pytest.fixture
def proxy(store_settings: Settings) -> Iterator[CuttableProxy]:
    with CuttableProxy((store_settings.postgres_host, store_settings.postgres_port)) as proxy:
        yield proxy


@pytest.fixture
def client(api_settings: Settings, clock: FixedClock, proxy: CuttableProxy) -> Iterator[TestClient]:
    """The API with its projections in process, reaching PostgreSQL through the proxy."""
    settings = api_settings.model_copy(
        update={"postgres_port": proxy.port, "projections_in_process": True}
    )
    with TestClient(create_app(settings, clock), raise_server_exceptions=False) as test:
        yield test


def answered_unavailable(response: Response, started: float) -> None:
    assert response.status_code == 503, response.text
    if response.request.url.path == "/health":
        assert response.json()["status"] == "unavailable"
    else:
        assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["x-request-id"]
    assert time.monotonic() - started < HANG_GUARD_SECONDS


def test_while_the_database_is_away_requests_answer_503_and_afterwards_nothing_is_lost(
    client: TestClient, auth: Headers, proxy: CuttableProxy
) -> None:
    coordinator, auditor = auth(COORDINATOR_USER), auth(AUDITOR)
    opened = client.post("/v1/cases", json=melding_json(), headers=coordinator)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    conversations = f"/v1/cases/{case_id}/conversations"
    acknowledged = [opened.json()["position"]]
    for _ in range(3):
        done = client.post(conversations, json=CONVERSATION, headers=coordinator)
        assert done.status_code == 200, done.text
        acknowledged.append(done.json()["position"])

    proxy.cut()
    away = [
        ("POST", conversations, CONVERSATION, coordinator),
        ("POST", "/v1/cases", melding_json(), coordinator),
        ("GET", f"/v1/cases/{case_id}", None, coordinator),
        ("GET", "/v1/overview", None, coordinator),
        ("GET", "/v1/waitlist", None, coordinator),
        ("GET", "/v1/access-log", None, auditor),
        ("GET", "/health", None, {}),
    ]
    for method, path, body, headers in away:
        started = time.monotonic()
        answered_unavailable(client.request(method, path, json=body, headers=headers), started)

    proxy.restore()
    position = first_success(
        lambda: client.post(conversations, json=CONVERSATION, headers=coordinator)
    )
    acknowledged.append(position)

    caught_up = client.get(f"/v1/overview?position={position}", headers=coordinator)
    assert caught_up.status_code == 200, caught_up.text
    assert case_id in {row["case_id"] for row in caught_up.json()["cases"]}
    assert client.get("/health").status_code == 200
    case = client.app.state.cases.get_case(UUID(case_id))  # type: ignore[attr-defined]
    assert case.version == len(acknowledged)  # every acknowledged write is stored, none more
    assert client.app.state.cases.position() == acknowledged[-1]  # type: ignore[attr-defined]


def first_success(attempt: Callable[[], Response]) -> int:
    """Try until the write is accepted (the database is back); its position."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while True:
        response = attempt()
        if response.status_code == 200:
            position: int = response.json()["position"]
            return position
        assert response.status_code == 503, response.text
        assert time.monotonic() < deadline, "no write succeeded after the database came back"
