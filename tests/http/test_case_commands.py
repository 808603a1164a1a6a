"""Opening and reading a case, the service's health, and what every command has in common:
401 without a valid token, 404 for an unknown case, strict bodies, occurred_at within the
case, nothing but reopening on a closed case. Each command's own effects and rules are in
test_intake_commands, test_coach_and_waitlist_commands, test_plan_commands,
test_referral_commands, test_privacy_commands and test_lifecycle_commands."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from application.settings import Settings
from tests.conftest import NOW
from tests.http.case_api import (
    COORDINATOR,
    ERASURE_COMMANDS,
    EVERY_COMMAND,
    PROBLEM_JSON,
    Api,
    assert_invalid,
    days_ago,
    without,
)
from tests.http.conftest import Headers, melding_json


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def store_position(client: TestClient) -> int:
    health = client.get("/health")
    assert health.status_code == 200
    position: int = health.json()["position"]
    return position


# --- the endpoints all together ----------------------------------------------------------


def test_every_command_endpoint_of_the_openapi_is_exercised_here(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"].items()
    posted = {p for p, ops in paths if "post" in ops and p.startswith("/v1/cases")}
    tested = {
        "/v1/cases/{case_id}"
        + path.replace("/r1/", "/{referral_id}/")
        .replace("/c1/", "/{consent_id}/")
        .replace("/e1/", "/{request_id}/")
        for path, _ in (*EVERY_COMMAND, *ERASURE_COMMANDS)
    }
    assert posted == tested | {"/v1/cases", "/v1/cases/search"}  # a search: test_case_search


def test_every_endpoint_answers_401_without_a_token_or_with_a_garbage_token(
    api: Api, client: TestClient
) -> None:
    case_id = api.open_case()
    requests = [
        ("POST", "/v1/cases", melding_json()),
        ("GET", f"/v1/cases/{case_id}", None),
        *[
            ("POST", f"/v1/cases/{case_id}{path}", body)
            for path, body in (*EVERY_COMMAND, *ERASURE_COMMANDS)
        ],
        ("GET", f"/v1/cases/{case_id}/erasure-requests/e1/receipt", None),
    ]
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}, {"Authorization": "Basic x"}):
        for method, url, body in requests:
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == 401, (method, url, headers, response.text)
            assert response.headers["content-type"] == PROBLEM_JSON
            assert response.headers["www-authenticate"] == "Bearer"
    assert api.case(case_id)["version"] == 1


def test_every_endpoint_answers_404_for_an_unknown_case(api: Api) -> None:
    api.open_case()
    unknown = uuid4()
    response = api.get(unknown)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert str(unknown) in response.json()["detail"]
    for path, body in EVERY_COMMAND:
        response = api.post(COORDINATOR, unknown, path, body)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["title"] == "Not found"


def test_every_command_refuses_unknown_fields_and_naive_occurred_at(api: Api) -> None:
    case_id = api.open_case()
    for path, body in EVERY_COMMAND:
        api.invalid(COORDINATOR, case_id, path, {**body, "unexpected": 1}, "unexpected")
        naive = {**body, "occurred_at": "2026-06-01T11:00:00"}
        api.invalid(COORDINATOR, case_id, path, naive, "occurred_at")


def test_every_command_refuses_an_occurred_at_in_the_future(api: Api) -> None:
    case_id = api.with_referral_and_consent(api.open_case())
    in_an_hour = "2026-06-01T14:00:00+01:00"  # 13:00 UTC, an hour after the clock's now
    for path, body in EVERY_COMMAND:
        if path == "/reopen":
            continue  # an open case is not reopened at all: see the reopen tests
        future = {**body, "occurred_at": in_an_hour}
        api.refused(COORDINATOR, case_id, path, future, "occurred-at-within-case")


def test_every_command_refuses_an_occurred_at_before_the_case_opened(api: Api) -> None:
    case_id = api.with_referral_and_consent(api.open_case(occurred_at=days_ago(10)))
    for path, body in EVERY_COMMAND:
        if path == "/reopen":
            continue
        earlier = {**body, "occurred_at": days_ago(11)}
        api.refused(COORDINATOR, case_id, path, earlier, "occurred-at-within-case")


def test_every_command_but_reopening_is_refused_on_a_closed_case(api: Api) -> None:
    case_id = api.closed_case()
    for path, body in EVERY_COMMAND:
        if path != "/reopen":
            api.refused(COORDINATOR, case_id, path, body, "closed-case-only-reopens")


# --- opening a case ----------------------------------------------------------------------


def test_opening_a_case_answers_201_with_the_location_of_the_new_case(
    api: Api, client: TestClient
) -> None:
    response = client.post("/v1/cases", json=melding_json(), headers=api.headers(COORDINATOR))
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.endswith(f"/v1/cases/{response.json()['case_id']}")
    read = client.get(location, headers=api.headers(COORDINATOR))
    assert read.status_code == 200 and read.json()["case_id"] == response.json()["case_id"]


def test_opening_a_case_answers_201_and_the_case_reads_as_registered(api: Api) -> None:
    case_id = api.open_case(urgency="urgent", channel="kcc")
    case = api.case(case_id)
    assert case["case_id"] == case_id
    assert case["version"] == 1
    assert (case["municipality"], case["team"]) == ("den-haag", "centrum")
    assert (case["status"], case["channel"], case["urgency"]) == ("open", "kcc", "urgent")
    assert datetime.fromisoformat(case["opened_at"]) == NOW
    assert case["last_activity_at"] == case["opened_at"]
    assert [m["member_id"] for m in case["members"]] == ["mother", "father", "child"]
    assert case["help_question"] == "Ouders vragen hulp bij opvoeding"
    assert (case["help_question_id"], case["help_question_open"]) == ("hq-1", True)
    assert case["problems_children"] == ["problemen_op_school"]
    assert case["coach"] is case["triage_outcome"] is case["closed_at"] is None
    assert api.open_case() != case_id  # the next case: its own id, a later position


def test_a_case_may_be_registered_as_opened_in_the_past(api: Api) -> None:
    case_id = api.open_case(occurred_at="2026-05-20T09:00:00+02:00")
    opened_at = datetime.fromisoformat(api.case(case_id)["opened_at"])
    assert opened_at == datetime(2026, 5, 20, 7, tzinfo=UTC)


def test_opening_a_case_in_the_future_is_refused_and_stores_nothing(
    api: Api, client: TestClient
) -> None:
    api.open_case()
    position = store_position(client)
    response = client.post(
        "/v1/cases",
        json=melding_json(occurred_at="2026-06-02T12:00:00Z"),
        headers=api.headers(COORDINATOR),
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["rule"] == "occurred-at-within-case"
    assert store_position(client) == position


def test_a_new_case_is_linked_to_a_closed_earlier_one_with_the_familys_consent(
    api: Api,
) -> None:
    earlier = api.closed_case()
    case_id = api.open_case(previous_case_id=earlier, link_consented_by=["mother"])
    assert api.case(case_id)["previous_case_id"] == earlier


def test_linking_needs_a_closed_earlier_case_and_consent_from_the_family(
    api: Api, client: TestClient
) -> None:
    still_open, closed = api.coached_case(), api.closed_case()
    position = store_position(client)
    for earlier, consented_by, rule in [
        (still_open, ["mother"], "reopen-needs-closed-case"),
        (closed, [], "consent-required"),
        (closed, ["neighbour"], "consent-required"),
    ]:
        body = melding_json(previous_case_id=earlier, link_consented_by=consented_by)
        response = client.post("/v1/cases", json=body, headers=api.headers(COORDINATOR))
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["rule"] == rule
    assert store_position(client) == position


def test_linking_to_an_unknown_case_answers_404(api: Api, client: TestClient) -> None:
    body = melding_json(previous_case_id=str(uuid4()), link_consented_by=["mother"])
    response = client.post("/v1/cases", json=body, headers=api.headers(COORDINATOR))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON


def test_opening_a_case_with_an_invalid_melding_answers_422_naming_the_field(
    api: Api, client: TestClient
) -> None:
    uncle = melding_json()
    uncle["members"][2]["role"] = "uncle"
    for body, field_name in [
        (melding_json(channel="pigeon"), "channel"),
        (melding_json(urgency="whenever"), "urgency"),
        (without(melding_json(), "help_question"), "help_question"),
        (melding_json(municipality="den haag!"), "municipality"),
        (melding_json(members=[]), "members"),
        (uncle, "members.2.role"),
        (melding_json(problems_children=["boredom"]), "problems_children.0"),
        (melding_json(unexpected="field"), "unexpected"),
        (melding_json(occurred_at="2026-06-01T10:00:00"), "occurred_at"),
    ]:
        response = client.post("/v1/cases", json=body, headers=api.headers(COORDINATOR))
        assert_invalid(response, field_name)
    assert store_position(client) == 0


def test_a_family_without_a_child_is_refused_as_invalid_input(api: Api, client: TestClient) -> None:
    body = melding_json()
    body["members"] = body["members"][:2]
    response = client.post("/v1/cases", json=body, headers=api.headers(COORDINATOR))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["rule"] == "valid-input"


# --- reading a case and the service ------------------------------------------------------


def test_reading_at_a_position_shows_the_write_that_answered_it(api: Api) -> None:
    case_id = api.open_case()
    position = api.do(
        COORDINATOR, case_id, "/triage", {"outcome": "single", "coordination_level": 1}
    )
    assert api.case(case_id, position=position)["version"] == 2
    assert api.case(case_id, position=0)["version"] == 2


def test_reading_with_an_invalid_id_or_position_answers_422(api: Api, client: TestClient) -> None:
    case_id = api.open_case()
    for url, field_name in [
        ("/v1/cases/not-a-uuid", "path.case_id"),
        (f"/v1/cases/{case_id}?position=-1", "query.position"),
        (f"/v1/cases/{case_id}?position=soon", "query.position"),
    ]:
        response = client.get(url, headers=api.headers(COORDINATOR))
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM_JSON
        assert [e["field"] for e in response.json()["errors"]] == [field_name]


def test_health_answers_ok_with_the_store_and_its_position(
    api: Api, client: TestClient, api_settings: Settings
) -> None:
    health = client.get("/health").json()
    assert {k: v for k, v in health.items() if k not in ("views", "notifications")} == {
        "status": "ok",
        "store": api_settings.store,
        "position": 0,
    }
    assert set(health["views"]) == {"case_index", "overview", "report", "waitlist"}
    assert all(v["state"] == "live" and v["lag"] >= 0 for v in health["views"].values())
    assert health["notifications"] == {"position": 0, "lag": 0}
    api.open_case()
    assert store_position(client) == api.position
