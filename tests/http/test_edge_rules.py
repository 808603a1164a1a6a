"""The smaller edges an outside probe found: moments PostgreSQL cannot store, numbers taken
for moments, dates of 9999, an unknown case's access log, a body that is no JSON, a bug's
500 without its request id, and rules the OpenAPI document did not state."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.http.case_api import PLAN_BODY, PROBLEM_JSON, Api
from tests.http.conftest import COORDINATOR_USER, Headers
from tests.http.privacy_world import ADMIN, AUDITOR


@pytest.mark.parametrize(
    "query",
    [
        "since=2000-01-01T00:00:00-22:00",
        "until=2000-01-01T00:00:00%2B15:00",
        "until=0.5",
        "since=1700000000",
        "since=0001-01-01T00:00:00Z",
    ],
)
def test_an_access_log_period_that_is_no_real_moment_is_refused(
    client: TestClient, auth: Headers, query: str
) -> None:
    response = client.get(f"/v1/access-log?{query}", headers=auth(AUDITOR))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["errors"][0]["field"].startswith("query.")


def test_an_access_log_period_with_the_furthest_offsets_on_earth_is_read(
    client: TestClient, auth: Headers
) -> None:
    since, until = "2000-01-01T00:00:00-12:00", "2999-01-01T00:00:00%2B14:00"
    response = client.get(f"/v1/access-log?since={since}&until={until}", headers=auth(AUDITOR))
    assert response.status_code == 200, response.text


def test_an_unknown_cases_access_log_is_not_found_even_for_an_admin(
    client: TestClient, auth: Headers
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = client.get(f"/v1/cases/{unknown}/access-log", headers=auth(ADMIN))
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/plan", {**PLAN_BODY, "next_evaluation": "9999-12-31"}),
        (
            "/plan",
            {**PLAN_BODY, "agreements": [{**PLAN_BODY["agreements"][0], "due": "9999-12-31"}]},
        ),
    ],
    ids=["next evaluation", "agreement due"],
)
def test_a_planned_date_beyond_five_years_is_refused(
    client: TestClient, auth: Headers, path: str, body: dict[str, object]
) -> None:
    api = Api(client, auth)
    case_id = api.coached_case()
    response = api.post(COORDINATOR_USER, case_id, path, body)
    assert response.status_code == 422, response.text
    assert "5 years" in response.json()["detail"]


def test_an_evaluation_set_for_9999_is_refused(client: TestClient, auth: Headers) -> None:
    api = Api(client, auth)
    case_id = api.coached_case()
    assert api.post(COORDINATOR_USER, case_id, "/plan", PLAN_BODY).status_code == 200
    evaluation = {"members": ["mother"], "organisations": [], "next_evaluation": "9999-12-31"}
    response = api.post(COORDINATOR_USER, case_id, "/plan/evaluations", evaluation)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("raw", [b'{"help_question": "\xff\xfe"}', b"[" * 100_000])
def test_a_body_that_cannot_be_parsed_is_invalid_input_as_documented(
    client: TestClient, auth: Headers, raw: bytes
) -> None:
    headers = {**auth(COORDINATOR_USER), "content-type": "application/json"}
    response = client.post("/v1/cases", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"field": "body", "message": "not a JSON document in UTF-8"}
    ]
    documented = client.get("/openapi.json").json()["paths"]["/v1/cases"]["post"]["responses"]
    assert "422" in documented and "400" not in documented


@pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)
def test_a_bugs_500_carries_its_request_id_and_is_logged_with_its_status(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    app: FastAPI = client.app  # type: ignore[assignment]
    app.add_api_route("/broken", broken)
    with caplog.at_level(logging.INFO):
        response = client.get("/broken", headers={"X-Request-ID": "probe-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["x-request-id"] == "probe-1"
    assert "a bug" not in response.text and "Traceback" not in response.text
    requests = [r for r in caplog.records if r.name == "gezinsregie.requests"]
    lines = [json.loads(r.message) for r in requests if r.levelno == logging.INFO]
    assert lines == [{**lines[0], "request_id": "probe-1", "path": "/broken", "status": 500}]
    assert any(r.levelno == logging.ERROR and "probe-1" in r.message for r in caplog.records)


@pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)
def test_the_openapi_document_states_the_rules_of_input(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    paths = client.get("/openapi.json").json()["paths"]
    members = schemas["OpenCaseIn"]["properties"]["members"]["description"]
    assert "member ids unique" in members
    name = schemas["MemberIn"]["properties"]["name"]["description"]
    assert "control characters" in name and "bidirectional" in name
    occurred_at = schemas["OpenCaseIn"]["properties"]["occurred_at"]["description"]
    assert "±14:00" in occurred_at and "1900-2999" in occurred_at
    report = {p["name"]: p for p in paths["/v1/reports/monitor"]["get"]["parameters"]}
    assert "1900-01-01..2999-12-31" in report["from"]["description"]
    access = {p["name"]: p for p in paths["/v1/access-log"]["get"]["parameters"]}
    assert "±14:00" in access["since"]["description"]
