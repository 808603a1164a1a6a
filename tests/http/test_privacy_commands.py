"""The family's privacy: consent from the right people, withdrawal, refusals, and
decisions to share without consent or not to share."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.http.case_api import (
    COACH,
    EVERY_COMMAND,
    REFERRAL_CONSENT_BODY,
    Api,
    Body,
    days_ago,
    without,
)
from tests.http.conftest import Headers

BODIES = dict(EVERY_COMMAND)
REFUSAL = BODIES["/refusals"]
DISCLOSURE = BODIES["/disclosures"]
NON_DISCLOSURE = BODIES["/non-disclosures"]
WITHDRAW = "/consents/c1/withdraw"


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def consented_case(api: Api) -> str:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/consents", REFERRAL_CONSENT_BODY)
    return case_id


def version_grows_by_one(api: Api, case_id: str, path: str, body: dict[str, object]) -> None:
    """For facts the case view does not show: the command adds one event to the case."""
    version = api.case(case_id)["version"]
    position = api.do(COACH, case_id, path, body)
    assert api.case(case_id, COACH, position)["version"] == version + 1


# --- consent ------------------------------------------------------------------------------


def test_a_granted_consent_is_listed_with_its_scope(api: Api) -> None:
    case_id = api.coached_case()
    position = api.do(COACH, case_id, "/consents", REFERRAL_CONSENT_BODY)
    (consent,) = api.case(case_id, COACH, position)["consents"]
    assert consent["consent_id"] == "c1"
    assert (consent["given_by"], consent["about"]) == (["mother"], ["child"])
    assert (consent["organisation"], consent["purpose"], consent["form"]) == (
        "ggz-haaglanden",
        "referral",
        "oral",
    )
    assert consent["categories"] == ["help_question", "referrals"]
    assert datetime.fromisoformat(consent["granted_at"]) == NOW
    assert consent["withdrawn_at"] is None


def test_consent_comes_from_the_right_people(api: Api) -> None:
    case_id = api.coached_case()
    changes: list[Body] = [
        {"given_by": ["father"], "about": ["mother"]},  # an adult consents for themselves
        {"given_by": ["child"]},  # a child of 8 does not consent alone
        {"given_by": ["mother"], "both_parents_required": True},
    ]
    for change in changes:
        body = {**REFERRAL_CONSENT_BODY, **change}
        api.refused(COACH, case_id, "/consents", body, "consent-from-the-right-people")
    assert api.case(case_id)["consents"] == []


def test_a_consent_id_is_recorded_once_and_names_family_members(api: Api) -> None:
    case_id = consented_case(api)
    api.refused(COACH, case_id, "/consents", REFERRAL_CONSENT_BODY, "ids-unique-in-a-case")
    stranger = {**REFERRAL_CONSENT_BODY, "consent_id": "c2", "about": ["neighbour"]}
    api.refused(COACH, case_id, "/consents", stranger, "valid-input", status=422)


def test_a_consent_with_invalid_input_answers_422_naming_the_field(api: Api) -> None:
    body = REFERRAL_CONSENT_BODY
    cases = [
        ({**body, "purpose": "marketing"}, "purpose"),
        ({**body, "form": "telepathic"}, "form"),
        ({**body, "categories": []}, "categories"),
        ({**body, "categories": ["bank_account"]}, "categories.0"),
        ({**body, "given_by": []}, "given_by"),
        (without(body, "about"), "about"),
        ({**body, "both_parents_required": "perhaps"}, "both_parents_required"),
    ]
    api.invalid_each(COACH, api.coached_case(), "/consents", cases)


@pytest.mark.parametrize("withdrawn_by", ["mother", "child"], ids=["who-gave-it", "whom-about"])
def test_a_withdrawn_consent_ends_at_once(api: Api, withdrawn_by: str) -> None:
    case_id = consented_case(api)
    position = api.do(COACH, case_id, WITHDRAW, {"withdrawn_by": [withdrawn_by]})
    (consent,) = api.case(case_id, COACH, position)["consents"]
    assert datetime.fromisoformat(consent["withdrawn_at"]) == NOW


NOT_IN_CASE, NOT_IN_FORCE = "names-what-the-case-has", "only-a-consent-in-force-is-withdrawn"


def test_only_a_consent_in_force_is_withdrawn_by_those_it_concerns(api: Api) -> None:
    case_id = consented_case(api)
    by_father = {"withdrawn_by": ["father"]}
    api.refused(COACH, case_id, WITHDRAW, by_father, "valid-input", status=422)
    unknown = "/consents/c9/withdraw"
    api.refused(COACH, case_id, unknown, {"withdrawn_by": ["mother"]}, NOT_IN_CASE, status=404)
    api.do(COACH, case_id, WITHDRAW, {"withdrawn_by": ["mother"]})
    api.refused(COACH, case_id, WITHDRAW, {"withdrawn_by": ["mother"]}, NOT_IN_FORCE)


def test_a_withdrawal_names_who_withdraws(api: Api) -> None:
    cases: list[tuple[Body, str]] = [
        ({}, "withdrawn_by"),
        ({"withdrawn_by": []}, "withdrawn_by"),
        ({"withdrawn_by": ["x y"]}, "withdrawn_by.0"),
    ]
    api.invalid_each(COACH, consented_case(api), WITHDRAW, cases)


# --- refusals and sharing decisions -------------------------------------------------------


def test_a_refusal_is_recorded(api: Api) -> None:
    version_grows_by_one(api, api.coached_case(), "/refusals", REFUSAL)


def test_a_refusal_with_invalid_input_answers_422(api: Api) -> None:
    case_id = api.coached_case()
    cases = [
        ({**REFUSAL, "recipient": ""}, "recipient"),
        ({**REFUSAL, "categories": []}, "categories"),
        ({**REFUSAL, "given_by": []}, "given_by"),
    ]
    api.invalid_each(COACH, case_id, "/refusals", cases)
    stranger = {**REFUSAL, "given_by": ["ex-partner"]}  # refusals come from the family
    api.refused(COACH, case_id, "/refusals", stranger, "valid-input", status=422)


def test_sharing_without_consent_is_recorded_with_its_legal_ground(api: Api) -> None:
    version_grows_by_one(api, api.coached_case(), "/disclosures", DISCLOSURE)


def test_a_disclosure_with_invalid_input_answers_422(api: Api) -> None:
    case_id = api.coached_case()
    cases = [
        (without(DISCLOSURE, "legal_ground"), "legal_ground"),
        ({**DISCLOSURE, "legal_ground": "because"}, "legal_ground"),
        (without(DISCLOSURE, "justification"), "justification"),
        ({**DISCLOSURE, "members": []}, "members"),
    ]
    api.invalid_each(COACH, case_id, "/disclosures", cases)
    # sharing is about members of this family, and its considerations say something
    for change in ({"justification": "  "}, {"members": ["neighbour"]}):
        body = {**DISCLOSURE, **change}
        api.refused(COACH, case_id, "/disclosures", body, "valid-input", status=422)


def test_a_decision_not_to_share_is_recorded_with_its_considerations(api: Api) -> None:
    version_grows_by_one(api, api.coached_case(), "/non-disclosures", NON_DISCLOSURE)


def test_a_non_disclosure_with_invalid_input_answers_422(api: Api) -> None:
    cases = [
        ({**NON_DISCLOSURE, "considerations": ""}, "considerations"),
        ({**NON_DISCLOSURE, "legal_ground": "legal_obligation"}, "legal_ground"),
        ({**NON_DISCLOSURE, "categories": ["gossip"]}, "categories.0"),
    ]
    case_id = api.coached_case()
    api.invalid_each(COACH, case_id, "/non-disclosures", cases)
    blank = {**NON_DISCLOSURE, "considerations": "\t"}  # considerations that say nothing
    problem = api.refused(COACH, case_id, "/non-disclosures", blank, "valid-input", status=422)
    assert [e["field"] for e in problem["errors"]] == ["body.considerations"]  # the body's name


def test_a_consent_is_not_withdrawn_before_it_was_granted(api: Api) -> None:
    case_id = api.coached_case(occurred_at=days_ago(10))
    api.do(COACH, case_id, "/consents", REFERRAL_CONSENT_BODY)  # granted now
    body = {"withdrawn_by": ["mother"], "occurred_at": days_ago(5)}
    api.refused(COACH, case_id, WITHDRAW, body, "occurred-at-within-case")
