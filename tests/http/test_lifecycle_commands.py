"""Safety assessments, escalation, closing the dossier and reopening it (same coach,
same help question, within the window)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from application.clock import FixedClock
from domain.authorization import Role, User
from tests.conftest import NOW
from tests.http.case_api import (
    CLOSE_BODY,
    COACH,
    COORDINATOR,
    OTHER_COACH,
    Api,
    Body,
    stamp,
    without,
)
from tests.http.conftest import Headers

REOPEN = {"help_question_id": "hq-1"}
SAFETY = {"method": "signs_of_safety", "verdict": "concerns", "notes": "Zorgen thuis"}
ESCALATION = {"target": "veilig_thuis", "reason": "Afspraken worden niet nagekomen"}
COACHING_COORDINATOR = User(
    "coach-bob", "cjg-den-haag", frozenset({Role.COACH, Role.COORDINATOR}), "den-haag", "centrum"
)
"""Another coach, who as coordinator of the team may act on the case at all."""


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


# --- safety and escalation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"), [("/safety-assessments", SAFETY), ("/escalations", ESCALATION)]
)
def test_safety_assessments_and_escalations_are_recorded(
    api: Api, path: str, body: dict[str, str]
) -> None:
    case_id = api.coached_case()
    version = api.case(case_id)["version"]
    position = api.do(COACH, case_id, path, body)
    assert api.case(case_id, COACH, position)["version"] == version + 1


def test_safety_assessments_and_escalations_with_invalid_input_answer_422(api: Api) -> None:
    case_id = api.coached_case()
    safety = [
        ({**SAFETY, "method": "gut_feeling"}, "method"),
        ({**SAFETY, "verdict": "fine"}, "verdict"),
        ({"method": "risk_inventory"}, "verdict"),
    ]
    api.invalid_each(COACH, case_id, "/safety-assessments", safety)
    escalations = [
        ({**ESCALATION, "target": "the_mayor"}, "target"),
        ({**ESCALATION, "reason": ""}, "reason"),
        ({"reason": "x"}, "target"),
    ]
    api.invalid_each(COACH, case_id, "/escalations", escalations)


# --- closing ------------------------------------------------------------------------------


def test_the_coach_closes_the_dossier(api: Api) -> None:
    case_id = api.coached_case()
    position = api.do(COACH, case_id, "/close", {**CLOSE_BODY, "informed_organisations": ["jgz"]})
    case = api.case(case_id, COACH, position)
    assert (case["status"], case["closure_reason"], case["coach"]) == (
        "closed",
        "goals_reached",
        None,
    )
    assert datetime.fromisoformat(case["closed_at"]) == NOW
    api.refused(COACH, case_id, "/close", CLOSE_BODY, "closed-case-only-reopens")


def test_closing_as_inactive_needs_the_whole_inactivity_period(api: Api, clock: FixedClock) -> None:
    case_id = api.open_case()
    api.do(COORDINATOR, case_id, "/help-question/answer")
    inactive = {**CLOSE_BODY, "reason": "inactive"}
    rule = "inactive-closure-needs-inactivity-period"
    api.refused(COORDINATOR, case_id, "/close", inactive, rule)
    clock.advance(days=89)
    api.refused(COORDINATOR, case_id, "/close", inactive, rule)
    clock.advance(days=1)
    api.do(COORDINATOR, case_id, "/close", inactive)
    assert api.case(case_id)["closure_reason"] == "inactive"


def test_a_case_with_active_help_is_not_closed_as_inactive(api: Api, clock: FixedClock) -> None:
    case_id = api.coached_case()  # an open help question and a coach: active help
    clock.advance(days=200)
    inactive = {**CLOSE_BODY, "reason": "inactive"}
    api.refused(COACH, case_id, "/close", inactive, "inactive-closure-needs-inactivity-period")


def test_closing_with_invalid_input_answers_422(api: Api) -> None:
    cases = [
        ({**CLOSE_BODY, "reason": "tired"}, "reason"),
        ({**CLOSE_BODY, "relapse_risk": "extreme"}, "relapse_risk"),
        (without(CLOSE_BODY, "relapse_risk"), "relapse_risk"),
        ({**CLOSE_BODY, "informed_organisations": ["two words"]}, "informed_organisations.0"),
    ]
    api.invalid_each(COACH, api.coached_case(), "/close", cases)


# --- reopening ----------------------------------------------------------------------------


def test_the_coach_who_closed_reopens_within_the_window(api: Api, clock: FixedClock) -> None:
    case_id = api.closed_case()
    clock.advance(days=90)
    position = api.do(COACH, case_id, "/reopen", REOPEN)
    case = api.case(case_id, COACH, position)
    assert (case["status"], case["coach"], case["closed_at"], case["closure_reason"]) == (
        "open",
        COACH.subject,
        None,
        None,
    )
    assert case["help_question_open"] is True
    api.do(COACH, case_id, "/conversations", {"kind": "help", "minutes": 5, "writing_minutes": 0})


def test_only_a_closed_case_is_reopened(api: Api) -> None:
    api.refused(COACH, api.coached_case(), "/reopen", REOPEN, "reopen-needs-closed-case")


def test_only_the_coach_who_closed_reopens_and_for_the_same_help_question(api: Api) -> None:
    case_id = api.closed_case()
    rule = "reopen-same-coach-same-question-within-window"
    api.refused(COACHING_COORDINATOR, case_id, "/reopen", REOPEN, rule)
    api.refused(COORDINATOR, case_id, "/reopen", REOPEN, rule)
    assert api.post(OTHER_COACH, case_id, "/reopen", REOPEN).status_code == 404
    api.refused(COACH, case_id, "/reopen", {"help_question_id": "hq-2"}, rule)


def test_after_the_window_the_case_is_not_reopened(api: Api, clock: FixedClock) -> None:
    case_id = api.closed_case()
    clock.advance(days=90, seconds=1)
    rule = "reopen-same-coach-same-question-within-window"
    api.refused(COACH, case_id, "/reopen", REOPEN, rule)


def test_a_reopening_happens_after_the_closing_and_not_in_the_future(api: Api) -> None:
    case_id = api.closed_case()
    for moment in (NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)):
        body = {**REOPEN, "occurred_at": stamp(moment)}
        api.refused(COACH, case_id, "/reopen", body, "occurred-at-within-case")


def test_a_reopening_names_the_help_question(api: Api) -> None:
    cases: list[tuple[Body, str]] = [({}, "help_question_id")]
    cases += [({"help_question_id": bad}, "help_question_id") for bad in ("", "hq 1")]
    api.invalid_each(COACH, api.closed_case(), "/reopen", cases)


def test_after_reopening_and_a_coach_change_the_former_coach_no_longer_acts(api: Api) -> None:
    case_id = api.closed_case()
    api.do(COACH, case_id, "/reopen", REOPEN)
    change = {"coach": OTHER_COACH.subject, "organisation": "cjg-den-haag", "reason": "verlof"}
    api.do(COORDINATOR, case_id, "/coach/change", change)
    assert api.case(case_id)["coach"] == OTHER_COACH.subject
    conversation = {"kind": "help", "minutes": 5, "writing_minutes": 0}
    assert api.post(COACH, case_id, "/conversations", conversation).status_code == 404
    assert api.get(case_id, COACH).status_code == 404
