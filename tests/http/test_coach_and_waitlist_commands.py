"""The waitlist (it needs the family's consent) and the one regisseur at a time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.http.case_api import (
    COACH,
    COACH_BODY,
    COORDINATOR,
    OTHER_COACH,
    WAITLIST_CONSENT_BODY,
    Api,
    days_ago,
    without,
)
from tests.http.conftest import Headers

CHANGE_TO_BOB = {"coach": OTHER_COACH.subject, "organisation": "cjg-den-haag", "reason": "verlof"}


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def waiting_case(api: Api) -> str:
    """A case whose family consented to, and was placed on, the waitlist (priority 2)."""
    case_id = api.open_case()
    api.do(COORDINATOR, case_id, "/consents", WAITLIST_CONSENT_BODY)
    api.do(COORDINATOR, case_id, "/waitlist", {"priority": 2})
    return case_id


# --- the waitlist -------------------------------------------------------------------------


def test_placing_on_the_waitlist_needs_the_familys_consent(api: Api) -> None:
    case_id = api.open_case()
    api.refused(COORDINATOR, case_id, "/waitlist", {"priority": 2}, "consent-required")
    assert api.case(case_id)["status"] == "open"


def test_a_consenting_family_is_placed_on_the_waitlist_with_its_priority(api: Api) -> None:
    case_id = api.open_case()
    api.do(COORDINATOR, case_id, "/consents", WAITLIST_CONSENT_BODY)
    position = api.do(COORDINATOR, case_id, "/waitlist", {"priority": 1})
    case = api.case(case_id, position=position)
    assert (case["status"], case["waitlist_priority"]) == ("waiting", 1)
    assert datetime.fromisoformat(case["waiting_since"]) == NOW


def test_a_withdrawn_waitlist_consent_no_longer_allows_placing(api: Api) -> None:
    case_id = api.open_case()
    api.do(COORDINATOR, case_id, "/consents", WAITLIST_CONSENT_BODY)
    withdraw = "/consents/consent-waitlist/withdraw"
    api.do(COORDINATOR, case_id, withdraw, {"withdrawn_by": ["father"]})
    api.refused(COORDINATOR, case_id, "/waitlist", {"priority": 2}, "consent-required")


def test_a_waiting_family_is_not_placed_twice(api: Api) -> None:
    case_id = waiting_case(api)
    api.refused(COORDINATOR, case_id, "/waitlist", {"priority": 1}, "waitlist-order")


def test_a_family_with_a_coach_is_not_placed_on_the_waitlist(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COORDINATOR, case_id, "/consents", WAITLIST_CONSENT_BODY)
    api.refused(COORDINATOR, case_id, "/waitlist", {"priority": 2}, "waitlist-order")


def test_the_waitlist_priority_lies_between_one_and_five(api: Api) -> None:
    cases = [({"priority": p}, "priority") for p in (0, 6, "high")] + [({}, "priority")]
    api.invalid_each(COORDINATOR, api.open_case(), "/waitlist", cases)


def test_contact_with_a_waiting_family_is_recorded_when_it_happened(api: Api) -> None:
    case_id = api.open_case(occurred_at=days_ago(20))
    api.do(
        COORDINATOR, case_id, "/consents", {**WAITLIST_CONSENT_BODY, "occurred_at": days_ago(20)}
    )
    api.do(COORDINATOR, case_id, "/waitlist", {"priority": 3, "occurred_at": days_ago(15)})
    api.do(COORDINATOR, case_id, "/waitlist/contacts", {"occurred_at": days_ago(1)})
    case = api.case(case_id)
    assert (case["status"], case["version"]) == ("waiting", 4)
    assert datetime.fromisoformat(case["last_activity_at"]) == NOW - timedelta(days=1)


def test_contact_and_leaving_need_a_waiting_family(api: Api) -> None:
    case_id = api.open_case()
    api.refused(COORDINATOR, case_id, "/waitlist/contacts", {}, "waitlist-order")
    api.refused(COORDINATOR, case_id, "/waitlist/leave", {"exit": "withdrawn"}, "waitlist-order")


def test_a_family_leaves_the_waitlist_without_a_coach(api: Api) -> None:
    for exit_reason in ("withdrawn", "no_longer_needed"):
        case_id = waiting_case(api)
        position = api.do(COORDINATOR, case_id, "/waitlist/leave", {"exit": exit_reason})
        case = api.case(case_id, position=position)
        assert (case["status"], case["waitlist_priority"], case["waiting_since"]) == (
            "open",
            None,
            None,
        )
        again = {"exit": exit_reason}
        api.refused(COORDINATOR, case_id, "/waitlist/leave", again, "waitlist-order")


def test_leaving_the_waitlist_takes_only_the_exits_without_a_coach(api: Api) -> None:
    cases = [({"exit": "coach_assigned"}, "exit"), ({"exit": "bored"}, "exit"), ({}, "exit")]
    api.invalid_each(COORDINATOR, waiting_case(api), "/waitlist/leave", cases)


# --- the coach ----------------------------------------------------------------------------


def test_assigning_a_coach_makes_them_the_regisseur(api: Api) -> None:
    case_id = api.open_case()
    position = api.do(COORDINATOR, case_id, "/coach", COACH_BODY)
    case = api.case(case_id, COACH, position)
    assert (case["coach"], case["coach_changes"], case["version"]) == (COACH.subject, 0, 2)


def test_assigning_a_coach_takes_a_waiting_family_off_the_waitlist(api: Api) -> None:
    case_id = waiting_case(api)
    version = api.case(case_id)["version"]
    position = api.do(COORDINATOR, case_id, "/coach", COACH_BODY)
    case = api.case(case_id, position=position)
    assert (case["status"], case["waitlist_priority"], case["coach"]) == (
        "open",
        None,
        "coach-anna",
    )
    assert case["version"] == version + 2  # left the waitlist, and the coach assigned


def test_a_second_coach_is_not_assigned_next_to_the_first(api: Api) -> None:
    case_id = api.coached_case()
    body = {"coach": OTHER_COACH.subject, "organisation": "cjg-den-haag"}
    api.refused(COORDINATOR, case_id, "/coach", body, "one-regisseur-at-a-time")
    assert api.case(case_id)["coach"] == COACH.subject


def test_assigning_a_coach_with_invalid_input_answers_422(api: Api) -> None:
    cases = [
        ({"coach": "coach-anna"}, "organisation"),
        ({"organisation": "cjg-den-haag"}, "coach"),
        ({"coach": "", "organisation": "cjg-den-haag"}, "coach"),
        ({"coach": "anna de vries", "organisation": "cjg-den-haag"}, "coach"),
    ]
    api.invalid_each(COORDINATOR, api.open_case(), "/coach", cases)


def test_changing_the_coach_hands_over_the_case_and_counts_the_change(api: Api) -> None:
    case_id = api.coached_case()
    position = api.do(COORDINATOR, case_id, "/coach/change", CHANGE_TO_BOB)
    case = api.case(case_id, OTHER_COACH, position)
    assert (case["coach"], case["coach_changes"]) == (OTHER_COACH.subject, 1)
    assert api.get(case_id, COACH).status_code == 404  # the former coach no longer reads it


def test_the_coach_is_changed_only_when_there_is_one_and_to_someone_else(api: Api) -> None:
    case_id = api.open_case()
    api.refused(COORDINATOR, case_id, "/coach/change", CHANGE_TO_BOB, "one-regisseur-at-a-time")
    api.do(COORDINATOR, case_id, "/coach", COACH_BODY)
    to_anna = {**CHANGE_TO_BOB, "coach": COACH.subject}
    api.refused(COORDINATOR, case_id, "/coach/change", to_anna, "one-regisseur-at-a-time")


def test_changing_the_coach_needs_a_reason_and_a_coach(api: Api) -> None:
    cases = [
        ({**CHANGE_TO_BOB, "reason": ""}, "reason"),
        (without(CHANGE_TO_BOB, "reason"), "reason"),
        (without(CHANGE_TO_BOB, "coach"), "coach"),
    ]
    api.invalid_each(COORDINATOR, api.coached_case(), "/coach/change", cases)


def test_the_coach_ends_the_coaching_and_a_new_coach_may_follow(api: Api) -> None:
    case_id = api.coached_case()
    position = api.do(COACH, case_id, "/coach/end", {"reason": "doelen bereikt"})
    case = api.case(case_id, position=position)
    assert (case["coach"], case["status"]) == (None, "open")
    api.do(COORDINATOR, case_id, "/coach", {"coach": "coach-bob", "organisation": "cjg-den-haag"})
    assert api.case(case_id)["coach"] == "coach-bob"


def test_ending_the_coaching_needs_coaching_in_progress_and_a_reason(api: Api) -> None:
    case_id = api.open_case()
    rule = "one-regisseur-at-a-time"
    api.refused(COORDINATOR, case_id, "/coach/end", {"reason": "x"}, rule)
    api.do(COORDINATOR, case_id, "/coach", COACH_BODY)
    api.invalid_each(COACH, case_id, "/coach/end", [({"reason": ""}, "reason"), ({}, "reason")])
    api.do(COACH, case_id, "/coach/end", {"reason": "afgerond"})
    api.refused(COORDINATOR, case_id, "/coach/end", {"reason": "nogmaals"}, rule)
