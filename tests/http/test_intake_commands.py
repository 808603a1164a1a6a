"""Intake and time: triage, conversations with exact minutes, time registered afterwards,
and answering the help question; and occurred_at as the time a fact happened."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.http.case_api import COACH, COORDINATOR, WAITLIST_CONSENT_BODY, Api, days_ago, without
from tests.http.conftest import Headers


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


# --- triage ------------------------------------------------------------------------------


def test_triage_records_the_outcome_and_coordination_level(api: Api) -> None:
    case_id = api.open_case()
    api.do(COORDINATOR, case_id, "/triage", {"outcome": "complex", "coordination_level": 5})
    case = api.case(case_id)
    assert (case["triage_outcome"], case["coordination_level"], case["version"]) == (
        "complex",
        5,
        2,
    )


def test_a_fact_may_be_recorded_as_having_happened_earlier_within_the_case(api: Api) -> None:
    case_id = api.open_case(occurred_at=days_ago(10))
    body = {"outcome": "crisis", "coordination_level": 0, "occurred_at": days_ago(4)}
    api.do(COORDINATOR, case_id, "/triage", body)
    last_activity = datetime.fromisoformat(api.case(case_id)["last_activity_at"])
    assert last_activity == NOW - timedelta(days=4)


def test_occurred_at_is_compared_across_timezones(api: Api) -> None:
    case_id = api.open_case()  # at 12:00 UTC
    before_opening = {"outcome": "single", "coordination_level": 1}
    before_opening["occurred_at"] = "2026-06-01T13:30:00+02:00"  # 11:30 UTC
    api.refused(COORDINATOR, case_id, "/triage", before_opening, "occurred-at-within-case")
    api.do(
        COORDINATOR,
        case_id,
        "/triage",
        {**before_opening, "occurred_at": "2026-06-01T13:30:00+01:30"},
    )


def test_triage_with_invalid_input_answers_422_naming_the_field(api: Api) -> None:
    api.invalid_each(
        COORDINATOR,
        api.open_case(),
        "/triage",
        [
            ({"outcome": "complex", "coordination_level": 6}, "coordination_level"),
            ({"outcome": "complex", "coordination_level": -1}, "coordination_level"),
            ({"outcome": "complex", "coordination_level": "high"}, "coordination_level"),
            ({"outcome": "urgent", "coordination_level": 3}, "outcome"),
            ({"coordination_level": 3}, "outcome"),
            ({"outcome": "single"}, "coordination_level"),
        ],
    )


# --- conversations, time and the help question ----------------------------------------------


def test_conversations_count_and_their_minutes_add_up(api: Api) -> None:
    case_id = api.coached_case()
    body = {
        "kind": "home_visit",
        "minutes": "22.5",
        "writing_minutes": 10,
        "participants": ["mother"],
    }
    api.do(COACH, case_id, "/conversations", body)
    api.do(COACH, case_id, "/conversations", {**body, "minutes": "45"})
    case = api.case(case_id, COACH)
    assert (case["conversations"], Decimal(case["minutes_total"])) == (2, Decimal("87.5"))


def test_a_conversation_id_is_recorded_once(api: Api) -> None:
    case_id = api.coached_case()
    body = {"conversation_id": "gesprek-1", "kind": "phone", "minutes": 5, "writing_minutes": 0}
    api.do(COACH, case_id, "/conversations", body)
    api.refused(COACH, case_id, "/conversations", body, "ids-unique-in-a-case")


def test_a_conversation_with_invalid_input_answers_422_naming_the_field(api: Api) -> None:
    body = {"kind": "help", "minutes": "10", "writing_minutes": "5"}
    api.invalid_each(
        COACH,
        api.coached_case(),
        "/conversations",
        [
            ({**body, "minutes": "-1"}, "minutes"),
            ({**body, "writing_minutes": "1441"}, "writing_minutes"),
            ({**body, "minutes": "1.234"}, "minutes"),
            (without(body, "writing_minutes"), "writing_minutes"),
            ({**body, "kind": "gossip"}, "kind"),
            ({**body, "participants": ["not an id"]}, "participants.0"),
        ],
    )


def test_registered_time_adds_to_the_minutes_without_a_conversation(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/time-registrations", {"minutes": "120", "writing_minutes": "30"})
    api.do(COACH, case_id, "/time-registrations", {"minutes": "15"})
    case = api.case(case_id, COACH)
    assert (case["conversations"], Decimal(case["minutes_total"])) == (0, Decimal(165))


def test_registered_time_with_invalid_minutes_answers_422(api: Api) -> None:
    api.invalid_each(
        COACH,
        api.coached_case(),
        "/time-registrations",
        [
            ({"minutes": -5}, "minutes"),
            ({"minutes": 10, "writing_minutes": -1}, "writing_minutes"),
            ({"minutes": 1500}, "minutes"),
            ({}, "minutes"),
        ],
    )


def test_answering_the_help_question_closes_it_once(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/help-question/answer")
    assert api.case(case_id, COACH)["help_question_open"] is False
    api.refused(COACH, case_id, "/help-question/answer", {}, "help-question-answered-once")


@pytest.mark.parametrize("path", ["/help-question/answer", "/waitlist/contacts"])
def test_a_command_without_required_fields_may_be_sent_without_a_body(
    api: Api, client: TestClient, auth: Headers, path: str
) -> None:
    case_id = api.coached_case()
    if path == "/waitlist/contacts":
        case_id = api.open_case()
        api.do(COORDINATOR, case_id, "/consents", WAITLIST_CONSENT_BODY)
        api.do(COORDINATOR, case_id, "/waitlist", {"priority": 2})
    user = COACH if path == "/help-question/answer" else COORDINATOR
    response = client.post(f"/v1/cases/{case_id}{path}", headers=auth(user))
    assert response.status_code == 200, response.text
    assert api.case(case_id, user, response.json()["position"])["version"] >= 2
