"""Failures that surface: a projection whose handler fails stops loudly (logged with the
event's position, /health 503 naming the view, its queries 503 at once, `projections run`
exits 1); a position that was never given out is refused at once instead of waited for."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from application.settings import Settings
from domain.events_intake import ConversationHeld
from interfaces.cli import cli
from projections.overview import OverviewProjection
from projections.projection import RowBatch
from tests.conftest import store_env
from tests.http.case_api import Api
from tests.http.conftest import COORDINATOR_USER, Headers

CONVERSATION = {"kind": "help", "minutes": "30", "writing_minutes": "5"}


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    from tests.http.privacy_world import in_process

    return in_process(store_settings)


@pytest.fixture
def failing_on_conversations(monkeypatch: pytest.MonkeyPatch) -> None:
    """The overview's handler of conversations has a bug."""
    original = OverviewProjection.handler_for

    def handler_for(self: OverviewProjection, event_class: type[Any]) -> Callable[..., None]:
        if event_class is ConversationHeld:

            def broken(event: Any, rows: RowBatch) -> None:
                raise ZeroDivisionError("a bug in the overview")

            return broken
        return original(self, event_class)

    monkeypatch.setattr(OverviewProjection, "handler_for", handler_for)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Iterator[Api]:
    yield Api(client, auth)


def test_health_is_live_and_ready_with_every_view_caught_up(api: Api, client: TestClient) -> None:
    case_id = api.open_case()
    api.case(case_id)  # read-your-writes: the store has it
    client.get(
        "/v1/waitlist", params={"position": api.position}, headers=api.headers(COORDINATOR_USER)
    )

    assert client.get("/health/live").json() == {"status": "live"}
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["views"]["waitlist"] == {
        "position": api.position,
        "lag": 0,
        "state": "live",
    }


def test_a_failing_handler_marks_its_view_failed_and_says_where(
    failing_on_conversations: None,
    api: Api,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case_id = api.open_case()
    with caplog.at_level(logging.CRITICAL):
        position = api.do(COORDINATOR_USER, case_id, "/conversations", CONVERSATION)
        overview = client.get(
            "/v1/overview", params={"position": position}, headers=api.headers(COORDINATOR_USER)
        )
        waitlist = client.get(
            "/v1/waitlist", params={"position": position}, headers=api.headers(COORDINATOR_USER)
        )
    health = client.get("/health")

    assert overview.status_code == 503
    assert "stopped on an error" in overview.json()["detail"]
    assert waitlist.status_code == 200  # the other views go on
    assert health.status_code == 503
    assert health.json()["status"] == "failed"
    assert health.json()["views"]["overview"]["state"] == "failed"
    assert health.json()["views"]["overview"]["position"] < position  # stopped before it
    assert health.json()["views"]["waitlist"]["state"] == "live"
    assert f"failed on ConversationHeld at position {position}" in caplog.text


def test_a_position_never_given_out_is_refused_at_once(api: Api, client: TestClient) -> None:
    case_id = api.open_case()
    beyond = api.position + 1000
    headers = api.headers(COORDINATOR_USER)

    for path in ("/v1/waitlist", "/v1/overview", f"/v1/cases/{case_id}"):
        response = client.get(path, params={"position": beyond}, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert f"position {beyond} is not recorded" in response.json()["detail"]


def test_projections_run_stops_and_exits_1_when_a_projection_fails(
    failing_on_conversations: None,
    api: Api,
    api_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = api.open_case()
    api.do(COORDINATOR_USER, case_id, "/conversations", CONVERSATION)
    for name, value in store_env(api_settings).items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["projections", "run", "overview"])

    assert result.exit_code == 1
    assert "projection overview FAILED" in result.output
    assert "ConversationHeld" in result.output
