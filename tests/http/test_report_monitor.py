"""GET /v1/reports/monitor: for analysts (within their municipality) and administrators,
as JSON, CSV or Markdown, reading its own writes, and never with personal data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.settings import Settings
from domain.authorization import Role, User
from tests.http.conftest import COORDINATOR_USER, Headers, melding_json
from tests.http.privacy_world import in_process

PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}
ANALYST = User("analyst-1", "gemeente-den-haag", frozenset({Role.ANALYST}))
REFUSED = [
    Role.COORDINATOR,
    Role.COACH,
    Role.PARTNER,
    Role.TEAM_MANAGER,
    Role.AUDITOR,
    Role.PRIVACY_OFFICER,
]
ON_SQLITE = pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


def open_case(client: TestClient, auth: Headers, **overrides: Any) -> int:
    response = client.post(
        "/v1/cases", json=melding_json(**overrides), headers=auth(COORDINATOR_USER)
    )
    assert response.status_code == 201, response.text
    return int(response.json()["position"])


def meldingen(body: dict[str, Any]) -> int:
    [inflow] = [t for t in body["tables"] if t["name"] == "inflow_by_channel"]
    return int(next(r["count"] for r in inflow["rows"] if r["group"] == "total"))


def test_an_analyst_reads_the_monitor_up_to_their_own_position(
    client: TestClient, auth: Headers
) -> None:
    open_case(client, auth)
    position = open_case(client, auth, channel="family")
    response = client.get(
        "/v1/reports/monitor", params={**PERIOD, "position": position}, headers=auth(ANALYST)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert meldingen(body) == 2
    assert body["parameters"]["from"] == "2026-01-01"
    assert "Name of" not in response.text and "Ouders vragen" not in response.text


@ON_SQLITE
def test_an_analyst_of_a_municipality_sees_only_its_cases(
    client: TestClient, auth: Headers
) -> None:
    open_case(client, auth)
    rotterdam = User("coordinator-9", "cjg-rotterdam", frozenset({Role.COORDINATOR}), "rotterdam")
    body = melding_json(municipality="rotterdam")
    position = client.post("/v1/cases", json=body, headers=auth(rotterdam)).json()["position"]
    of_rotterdam = User("analyst-2", "gemeente-rotterdam", frozenset({Role.ANALYST}), "rotterdam")
    asked = {**PERIOD, "position": position}
    response = client.get("/v1/reports/monitor", params=asked, headers=auth(of_rotterdam))
    assert response.status_code == 200
    assert meldingen(response.json()) == 1
    assert response.json()["parameters"]["municipality"] == "rotterdam"
    own = {**asked, "municipality": "rotterdam"}
    response = client.get("/v1/reports/monitor", params=own, headers=auth(of_rotterdam))
    assert response.status_code == 200 and meldingen(response.json()) == 1


@ON_SQLITE
def test_an_analyst_asking_for_another_municipality_is_refused_not_answered_for_their_own(
    client: TestClient, auth: Headers
) -> None:
    of_rotterdam = User("analyst-2", "gemeente-rotterdam", frozenset({Role.ANALYST}), "rotterdam")
    asked = {**PERIOD, "municipality": "den-haag"}
    response = client.get("/v1/reports/monitor", params=asked, headers=auth(of_rotterdam))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["query.municipality"]
    assert "outside your scope" in response.json()["detail"]


@ON_SQLITE
@pytest.mark.parametrize("form, media", [("csv", "text/csv"), ("md", "text/markdown")])
def test_the_monitor_comes_as_csv_and_markdown(
    client: TestClient, auth: Headers, form: str, media: str
) -> None:
    position = open_case(client, auth)
    asked = {**PERIOD, "position": position, "format": form, "min_cell": 3}
    response = client.get("/v1/reports/monitor", params=asked, headers=auth(ANALYST))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "<3" in response.text  # one melding is a small cell


@ON_SQLITE
@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused(client: TestClient, auth: Headers, role: Role) -> None:
    user = User("someone-1", "cjg-den-haag", frozenset({role}), "den-haag")
    response = client.get("/v1/reports/monitor", params=PERIOD, headers=auth(user))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@ON_SQLITE
def test_an_administrator_reads_it_and_anonymous_users_do_not(
    client: TestClient, auth: Headers
) -> None:
    admin = User("admin-1", "beheer", frozenset({Role.ADMIN}))
    assert client.get("/v1/reports/monitor", params=PERIOD, headers=auth(admin)).status_code == 200
    assert client.get("/v1/reports/monitor", params=PERIOD).status_code == 401


@ON_SQLITE
@pytest.mark.parametrize(
    "period, says",
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, "ends before it starts"),
        ({"from": "1800-01-01", "to": "2026-01-31"}, "between"),
        ({"from": "1990-01-01", "to": "2026-01-31"}, "at most 25 years"),
        ({"from": "2026-13-01", "to": "2026-01-31"}, "from"),
    ],
)
def test_an_impossible_period_is_invalid_input(
    client: TestClient, auth: Headers, period: dict[str, str], says: str
) -> None:
    response = client.get("/v1/reports/monitor", params=period, headers=auth(ANALYST))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert says in json.dumps(response.json())
