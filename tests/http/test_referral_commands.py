"""Referrals move requested -> accepted | rejected -> care started -> care ended, and
started care may be extended; the partner organisation answers for its own referrals."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.http.case_api import COACH, PARTNER, REFERRAL_BODY, Api, days_ago, without
from tests.http.conftest import Headers

EXTENSION = {"until": "2026-12-31", "reason": "evaluatie: nog 3 maanden nodig"}
STEP_BODIES: dict[str, dict[str, str]] = {
    "accept": {},
    "reject": {"reason": "geen plek"},
    "start": {},
    "end": {"reason": "behandeling afgerond"},
    "extend": EXTENSION,
}
OUT_OF_ORDER: list[tuple[tuple[str, ...], str]] = [
    ((), "start"),
    ((), "end"),
    ((), "extend"),
    (("accept",), "accept"),
    (("accept",), "reject"),
    (("accept",), "extend"),
    (("reject",), "accept"),
    (("reject",), "start"),
    (("accept", "start"), "start"),
    (("accept", "start", "end"), "start"),
    (("accept", "start", "end"), "end"),
    (("accept", "start", "end"), "extend"),
]
"""(steps taken, the step then refused)"""


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def referred_case(api: Api, *steps: str, **overrides: object) -> str:
    """A coached case with referral r1 of the child to PARTNER, moved through `steps`."""
    case_id = api.coached_case(**overrides)
    api.do(COACH, case_id, "/referrals", REFERRAL_BODY)
    for step in steps:
        api.do(PARTNER, case_id, f"/referrals/r1/{step}", STEP_BODIES[step])
    return case_id


def referral(api: Api, case_id: str, position: int | None = None) -> dict[str, object]:
    (only,) = api.case(case_id, COACH, position)["referrals"]
    assert isinstance(only, dict)
    return only


def test_the_coach_refers_a_family_member(api: Api) -> None:
    case_id = api.coached_case()
    position = api.do(COACH, case_id, "/referrals", REFERRAL_BODY)
    r = referral(api, case_id, position)
    assert (r["referral_id"], r["member_id"], r["status"]) == ("r1", "child", "requested")
    assert (r["destination"], r["organisation"]) == ("specialised_ggz", "ggz-haaglanden")
    assert datetime.fromisoformat(str(r["requested_at"])) == NOW
    assert r["started_at"] is None
    api.do(COACH, case_id, "/referrals", without(REFERRAL_BODY, "referral_id"))
    ids = [r["referral_id"] for r in api.case(case_id, COACH)["referrals"]]
    assert ids[0] == "r1" and ids[1].startswith("referral-")  # an id when none is given


def test_a_referral_made_without_an_id_answers_the_id_the_server_made(api: Api) -> None:
    case_id = api.coached_case()
    body = without(REFERRAL_BODY, "referral_id")
    response = api.post(COACH, case_id, "/referrals", body)
    assert response.status_code == 200, response.text
    made = response.json()["referral_id"]
    assert made.startswith("referral-")
    assert referral(api, case_id, response.json()["position"])["referral_id"] == made
    step = api.post(PARTNER, case_id, f"/referrals/{made}/accept")
    assert step.status_code == 200, step.text  # the id answered is the one to use


def test_a_member_outside_the_family_is_invalid_input_naming_the_field(api: Api) -> None:
    case_id = api.coached_case()
    grandma = {**REFERRAL_BODY, "member_id": "grandma"}
    problem = api.refused(COACH, case_id, "/referrals", grandma, "valid-input", status=422)
    assert problem["errors"] == [
        {"field": "body.member_id", "message": "not a member of this family: grandma"}
    ]


def test_a_referral_is_of_a_member_of_the_family_and_its_id_is_unique(api: Api) -> None:
    case_id = referred_case(api)
    api.refused(COACH, case_id, "/referrals", REFERRAL_BODY, "ids-unique-in-a-case")
    neighbour = {**REFERRAL_BODY, "referral_id": "r2", "member_id": "neighbour"}
    api.refused(COACH, case_id, "/referrals", neighbour, "valid-input", status=422)


def test_a_referral_with_invalid_input_answers_422(api: Api) -> None:
    cases = [
        ({**REFERRAL_BODY, "destination": "the-moon"}, "destination"),
        (without(REFERRAL_BODY, "member_id"), "member_id"),
        ({**REFERRAL_BODY, "organisation": ""}, "organisation"),
    ]
    api.invalid_each(COACH, api.coached_case(), "/referrals", cases)


def test_the_partner_accepts_starts_extends_and_ends_the_care(api: Api) -> None:
    case_id = referred_case(api)

    def step(name: str, body: dict[str, str] | None = None) -> dict[str, object]:
        position = api.do(PARTNER, case_id, f"/referrals/r1/{name}", body)
        (seen_by_partner,) = api.case(case_id, PARTNER, position)["referrals"]
        seen_by_coach = referral(api, case_id, position)
        assert seen_by_partner == seen_by_coach
        return seen_by_coach

    assert step("accept")["status"] == "accepted"
    started = step("start")
    assert started["status"] == "care_started"
    assert datetime.fromisoformat(str(started["started_at"])) == NOW
    assert step("extend", EXTENSION)["extended_until"] == "2026-12-31"
    ended = step("end", {"reason": "afgerond"})
    assert (ended["status"], ended["reason"]) == ("care_ended", "afgerond")


def test_the_partner_rejects_with_a_reason(api: Api) -> None:
    case_id = referred_case(api)
    api.do(PARTNER, case_id, "/referrals/r1/reject", {"reason": "geen plek"})
    r = referral(api, case_id)
    assert (r["status"], r["reason"]) == ("rejected", "geen plek")


def test_referral_steps_are_taken_in_order(api: Api) -> None:
    case_id = api.coached_case()
    for n, (steps, refused_step) in enumerate(OUT_OF_ORDER):
        referral_id = f"r-{n}"
        api.do(COACH, case_id, "/referrals", {**REFERRAL_BODY, "referral_id": referral_id})
        for step in steps:
            api.do(PARTNER, case_id, f"/referrals/{referral_id}/{step}", STEP_BODIES[step])
        path, body = f"/referrals/{referral_id}/{refused_step}", STEP_BODIES[refused_step]
        api.refused(PARTNER, case_id, path, body, "referral-transitions-in-order")


def test_a_referral_step_cannot_precede_the_previous_one(api: Api) -> None:
    case_id = api.coached_case(occurred_at=days_ago(10))
    api.do(COACH, case_id, "/referrals", {**REFERRAL_BODY, "occurred_at": days_ago(2)})
    early = {"occurred_at": days_ago(3)}
    api.refused(PARTNER, case_id, "/referrals/r1/accept", early, "occurred-at-within-case")
    api.do(PARTNER, case_id, "/referrals/r1/accept", {"occurred_at": days_ago(1)})


def test_an_unknown_referral_is_not_found_for_the_coach_and_for_the_partner(api: Api) -> None:
    case_id = referred_case(api)
    steps = [("accept", {}), ("reject", {"reason": "nee"}), ("start", {}), ("extend", EXTENSION)]
    for user in (COACH, PARTNER):
        for path, body in steps:
            problem = api.refused(
                user, case_id, f"/referrals/r9/{path}", body, "names-what-the-case-has", 404
            )
            assert problem["detail"] == "there is no referral r9 in this case"


def test_rejecting_and_ending_need_a_reason(api: Api) -> None:
    requested, started = referred_case(api), referred_case(api, "accept", "start")
    for case_id, path in [(requested, "/referrals/r1/reject"), (started, "/referrals/r1/end")]:
        api.invalid(PARTNER, case_id, path, {}, "reason")
        api.invalid(PARTNER, case_id, path, {"reason": ""}, "reason")
        blank = {"reason": "   "}
        api.refused(PARTNER, case_id, path, blank, "valid-input", status=422)


def test_an_extension_does_not_end_before_it_is_decided(api: Api) -> None:
    case_id = referred_case(api, "accept", "start")
    body = {**EXTENSION, "until": "2026-05-31"}
    api.refused(PARTNER, case_id, "/referrals/r1/extend", body, "valid-input", status=422)


def test_an_extension_with_invalid_input_answers_422(api: Api) -> None:
    cases = [
        (without(EXTENSION, "until"), "until"),
        ({**EXTENSION, "until": "31-12-2026"}, "until"),
        (without(EXTENSION, "reason"), "reason"),
    ]
    api.invalid_each(PARTNER, referred_case(api, "accept", "start"), "/referrals/r1/extend", cases)


def test_an_extension_cannot_precede_the_start_of_care(api: Api) -> None:
    case_id = referred_case(api, "accept", "start", occurred_at=days_ago(10))
    body = {**EXTENSION, "occurred_at": days_ago(5)}
    api.refused(PARTNER, case_id, "/referrals/r1/extend", body, "occurred-at-within-case")
