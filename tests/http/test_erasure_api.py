"""Erasure of a family's personal data through the API (Jeugdwet art. 7.3.11): those who
provide the care record the family's request, the privacy officer assesses and executes it,
a legal hold stops it, the receipt says what was destroyed and when, and the coordination
overview signals a request as its 3-month deadline nears."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from application.clock import FixedClock
from application.settings import Settings
from domain.authorization import User
from domain.vocabulary import DataCategory
from interfaces.http.app import create_app
from tests.conftest import NOW
from tests.http.case_api import (
    COACH,
    COORDINATOR,
    EVERY_COMMAND,
    OTHER_COACH,
    PARTNER,
    PLAN_BODY,
    PROBLEM_JSON,
    REFERRAL_BODY,
    Api,
    Body,
    stamp,
)
from tests.http.conftest import Headers, melding_json
from tests.http.privacy_world import (
    ADMIN,
    ANALYST,
    AUDITOR,
    PRIVACY_OFFICER,
    TEAM_MANAGER,
    in_process,
)

ERASED = "[gewist]"
HELP_QUESTION = melding_json()["help_question"]
NOTES = "Moeder vertelt over de ruzies thuis"
FAMILY_TEXTS = (
    "Name of mother",
    "Name of father",
    "Name of child",
    "Street of mother",
    "Street of father",
    "Street of child",
    "1988-05-02",
    "1986-07-09",
    "2018-03-01",
    HELP_QUESTION,
    NOTES,
    PLAN_BODY["goals"][0]["description"],
    PLAN_BODY["agreements"][0]["task"],
)
"""What the family told: their names, addresses and birth dates, and the texts of their care."""

DOSSIER: Body = {"request_id": "e1", "requested_by": "mother", "scope": "dossier"}
CHILD_IDENTITY: Body = {
    "request_id": "e1",
    "requested_by": "mother",
    "scope": "member",
    "member_id": "child",
}
GRANT: Body = {"granted": True}
REFUSE: Body = {
    "granted": False,
    "refusal_ground": "legal_obligation",
    "justification": "Lopende rechtszaak over de omgangsregeling",
}
HOLD: Body = {"reason": "Lopende procedure bij de rechtbank"}
ORDER_RULE = "erasure-requested-assessed-executed"
REQUEST_RULE = "erasure-asked-by-parent-with-gezag-or-young-person-12-plus"
ERASED_RULE = "erased-dossier-records-nothing"
HOLD_RULE = "legal-hold-stops-destruction"
DUE_ON = date(2026, 9, 1)
"""3 months after a request made at NOW (2026-06-01)."""


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    """The projections run in the API process on both stores: the overview is read at the
    position a command answered."""
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def assess(request_id: str = "e1") -> str:
    return f"/erasure-requests/{request_id}/assessment"


def execution(request_id: str = "e1") -> str:
    return f"/erasure-requests/{request_id}/execution"


def receipt(
    api: Api, case_id: str, request_id: str = "e1", user: User = PRIVACY_OFFICER
) -> Response:
    response: Response = api.client.get(
        f"/v1/cases/{case_id}/erasure-requests/{request_id}/receipt",
        headers=api.headers(user),
    )
    return response


def granted(api: Api, case_id: str, body: Body, by: User = COACH) -> None:
    """The request recorded by `by` (someone providing care) and granted."""
    api.do(by, case_id, "/erasure-requests", body)
    api.do(PRIVACY_OFFICER, case_id, assess(body["request_id"]), GRANT)


def cared_for_case(api: Api) -> str:
    """A coached case with a conversation and a plan: texts the family told."""
    case_id = api.coached_case()
    conversation = {"kind": "help", "minutes": "30", "writing_minutes": "5", "notes": NOTES}
    api.do(COACH, case_id, "/conversations", conversation)
    api.do(COACH, case_id, "/plan", PLAN_BODY)
    return case_id


def members_of(case: Body) -> dict[str, Body]:
    return {m["member_id"]: m for m in case["members"]}


def no_family_text_in(response: Response) -> None:
    found = [text for text in FAMILY_TEXTS if text in response.text]
    assert found == [], f"{response.request.url} still shows {found}"


# --- the whole flow -----------------------------------------------------------------------


def test_a_granted_dossier_erasure_leaves_dates_and_structure_and_no_personal_data(
    api: Api,
) -> None:
    case_id = cared_for_case(api)
    before = api.case(case_id)
    assert members_of(before)["mother"]["name"] == "Name of mother"

    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    api.do(PRIVACY_OFFICER, case_id, assess(), GRANT)
    api.do(PRIVACY_OFFICER, case_id, execution())

    response = api.get(case_id, COORDINATOR, api.position)
    assert response.status_code == 200, response.text
    case = response.json()
    assert (case["erased"], case["legal_hold"]) == (True, False)
    for member in case["members"]:
        assert (member["name"], member["birth_date"], member["address"]) == (ERASED,) * 3
    assert case["help_question"] == ERASED
    [conversation] = case["conversation_log"]
    assert conversation["notes"] == ERASED
    assert {g["description"] for g in case["plan"]["goals"]} == {ERASED}
    no_family_text_in(response)
    # dates and structure remain
    assert datetime.fromisoformat(case["opened_at"]) == NOW
    assert datetime.fromisoformat(conversation["occurred_at"]) == NOW
    assert [m["member_id"] for m in case["members"]] == ["mother", "father", "child"]
    assert (case["coach"], case["plan"]["version"]) == (COACH.subject, before["plan"]["version"])


def test_the_history_of_an_erased_dossier_shows_its_dates_and_no_personal_data(api: Api) -> None:
    case_id = cared_for_case(api)
    granted(api, case_id, DOSSIER)
    api.do(PRIVACY_OFFICER, case_id, execution())

    response = api.client.get(f"/v1/cases/{case_id}/history", headers=api.headers(AUDITOR))

    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert events[0]["event"] == "gezinsregie.case.opened.v1"
    assert events[-1]["event"] == "gezinsregie.case.personal-data-erased.v1"
    assert all(datetime.fromisoformat(e["occurred_at"]) == NOW for e in events)
    assert all(datetime.fromisoformat(e["recorded_at"]) == NOW for e in events)
    assert response.json()["state"]["erased"] is True
    no_family_text_in(response)


CARE_AFTER_ERASURE = [
    (path, body)
    for path, body in EVERY_COMMAND
    if not path.startswith(("/referrals/r1/", "/consents/c1/"))  # nothing to act on
]
"""Every command of intake and care the coordinating team gives (they may give them all)."""


def test_an_erased_dossier_records_no_care_and_no_further_erasure(api: Api) -> None:
    case_id = api.coached_case()
    granted(api, case_id, DOSSIER)
    api.do(PRIVACY_OFFICER, case_id, execution())

    for path, body in CARE_AFTER_ERASURE:
        api.refused(COORDINATOR, case_id, path, body, ERASED_RULE)
    again = {**DOSSIER, "request_id": "e2"}
    api.refused(COACH, case_id, "/erasure-requests", again, ERASED_RULE)
    api.refused(PRIVACY_OFFICER, case_id, execution(), None, ERASED_RULE)
    api.refused(PRIVACY_OFFICER, case_id, "/legal-hold", HOLD, ERASED_RULE)


def test_the_receipt_says_what_was_destroyed_and_when_and_names_no_one(api: Api) -> None:
    case_id = cared_for_case(api)
    api.do(COORDINATOR, case_id, "/erasure-requests", DOSSIER)
    assert receipt(api, case_id).json()["status"] == "requested"
    assert receipt(api, case_id).json()["destroyed"] == []
    api.do(PRIVACY_OFFICER, case_id, assess(), GRANT)
    api.do(PRIVACY_OFFICER, case_id, execution())

    for user in (PRIVACY_OFFICER, COORDINATOR, COACH):
        response = receipt(api, case_id, user=user)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert (answer["case_id"], answer["request_id"]) == (case_id, "e1")
        assert (answer["requested_by"], answer["relation"], answer["scope"]) == (
            "mother",
            "parent_with_authority",
            "dossier",
        )
        assert (answer["status"], answer["cause"]) == ("executed", "request")
        assert sorted(answer["destroyed"]) == sorted(DataCategory)
        assert datetime.fromisoformat(answer["requested_at"]) == NOW
        assert datetime.fromisoformat(answer["assessed_at"]) == NOW
        assert datetime.fromisoformat(answer["executed_at"]) == NOW
        assert date.fromisoformat(answer["due_on"]) == DUE_ON
        assert NOW.isoformat() in answer["destroyed_what"]
        no_family_text_in(response)


def test_a_receipt_is_only_of_a_request_of_the_case(api: Api) -> None:
    case_id = api.coached_case()
    assert receipt(api, case_id, "e1").status_code == 404
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    assert receipt(api, api.coached_case(), "e1").status_code == 404
    assert receipt(api, str(uuid4()), "e1").status_code == 404


# --- one member's identifying data --------------------------------------------------------


def test_a_parent_has_a_young_childs_identifying_data_erased_and_the_rest_stays(
    api: Api,
) -> None:
    case_id = cared_for_case(api)
    granted(api, case_id, CHILD_IDENTITY)
    api.do(PRIVACY_OFFICER, case_id, execution())

    response = api.get(case_id, COORDINATOR, api.position)
    assert response.status_code == 200, response.text
    case = response.json()
    members = members_of(case)
    assert (members["child"]["name"], members["child"]["address"]) == (ERASED, ERASED)
    assert members["child"]["birth_date"] == ERASED
    assert (members["mother"]["name"], members["mother"]["address"]) == (
        "Name of mother",
        "Street of mother 1",
    )
    assert members["mother"]["birth_date"] == "1988-05-02"
    assert members["father"]["name"] == "Name of father"
    assert case["erased"] is False
    assert case["help_question"] == HELP_QUESTION
    assert case["conversation_log"][0]["notes"] == NOTES
    assert "Name of child" not in response.text
    history = api.client.get(f"/v1/cases/{case_id}/history", headers=api.headers(AUDITOR))
    assert history.status_code == 200, history.text
    child = [t for t in FAMILY_TEXTS if "child" in t or t == "2018-03-01"]
    assert [t for t in child if t in history.text] == []
    assert "Name of mother" in history.text and "Street of father" in history.text

    answer = receipt(api, case_id).json()
    assert (answer["status"], answer["scope"], answer["member_id"]) == (
        "executed",
        "member",
        "child",
    )
    assert sorted(answer["destroyed"]) == ["contact_address", "identity"]
    # the case goes on
    api.do(COACH, case_id, "/conversations", {"kind": "help", "minutes": 5, "writing_minutes": 0})
    api.refused(PRIVACY_OFFICER, case_id, execution(), None, ORDER_RULE)
    again = {**CHILD_IDENTITY, "request_id": "e2"}
    api.refused(COACH, case_id, "/erasure-requests", again, ORDER_RULE)


def test_a_young_person_of_12_asks_for_the_dossier_and_a_child_of_16_speaks_for_themselves(
    api: Api,
) -> None:
    members = melding_json()["members"]
    twelve = [
        {**m, "birth_date": "2014-06-01"} if m["member_id"] == "child" else m for m in members
    ]
    case_id = api.open_case(members=twelve)
    api.do(COORDINATOR, case_id, "/erasure-requests", {**DOSSIER, "requested_by": "child"})
    assert receipt(api, case_id).json()["relation"] == "young_person"

    sixteen = [
        {**m, "birth_date": "2010-06-01"} if m["member_id"] == "child" else m for m in members
    ]
    case_id = api.open_case(members=sixteen)
    api.refused(COORDINATOR, case_id, "/erasure-requests", CHILD_IDENTITY, REQUEST_RULE)
    own = {**CHILD_IDENTITY, "requested_by": "child"}
    api.do(COORDINATOR, case_id, "/erasure-requests", own)


def test_the_three_months_run_from_the_day_the_family_asked(api: Api) -> None:
    opened = datetime(2025, 11, 3, 9, 0, tzinfo=NOW.tzinfo)
    asked = datetime(2025, 11, 30, 15, 0, tzinfo=NOW.tzinfo)
    case_id = api.open_case(occurred_at=stamp(opened))
    api.do(COORDINATOR, case_id, "/erasure-requests", {**DOSSIER, "occurred_at": stamp(asked)})

    answer = receipt(api, case_id).json()
    assert datetime.fromisoformat(answer["requested_at"]) == asked
    assert date.fromisoformat(answer["due_on"]) == date(2026, 2, 28)  # no 30 February

    rule = "occurred-at-within-case"
    for moment in (opened - timedelta(minutes=1), NOW + timedelta(minutes=1)):
        body = {**DOSSIER, "request_id": "e2", "occurred_at": stamp(moment)}
        api.refused(COORDINATOR, case_id, "/erasure-requests", body, rule)
    before_request = {**GRANT, "occurred_at": stamp(asked - timedelta(minutes=1))}
    api.refused(PRIVACY_OFFICER, case_id, assess(), before_request, rule)


# --- refusals -----------------------------------------------------------------------------


def test_a_child_of_8_and_an_adult_without_gezag_do_not_ask_for_the_dossier(api: Api) -> None:
    stepfather = {
        "member_id": "stepfather",
        "role": "carer",
        "name": "Name of stepfather",
        "birth_date": "1980-01-01",
        "parental_authority": False,
    }
    case_id = api.open_case(members=[*melding_json()["members"], stepfather])
    child = {**DOSSIER, "requested_by": "child"}
    api.refused(COORDINATOR, case_id, "/erasure-requests", child, REQUEST_RULE)
    own = {**CHILD_IDENTITY, "requested_by": "child"}
    api.refused(COORDINATOR, case_id, "/erasure-requests", own, REQUEST_RULE)
    adult = {**DOSSIER, "requested_by": "stepfather"}
    api.refused(COORDINATOR, case_id, "/erasure-requests", adult, REQUEST_RULE)
    others = {**CHILD_IDENTITY, "requested_by": "stepfather"}
    api.refused(COORDINATOR, case_id, "/erasure-requests", others, REQUEST_RULE)
    for_themselves = {**CHILD_IDENTITY, "requested_by": "stepfather", "member_id": "stepfather"}
    api.do(COORDINATOR, case_id, "/erasure-requests", for_themselves)


def test_a_request_names_a_member_of_the_family_and_its_scope_fits(api: Api) -> None:
    case_id = api.coached_case()
    cases = [
        {**DOSSIER, "requested_by": "grandmother"},
        {**DOSSIER, "member_id": "child"},
        {**CHILD_IDENTITY, "member_id": None},
        {**CHILD_IDENTITY, "member_id": "cousin"},
    ]
    for body in cases:
        api.refused(COACH, case_id, "/erasure-requests", body, "valid-input", 422)
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    api.refused(COACH, case_id, "/erasure-requests", DOSSIER, "ids-unique-in-a-case")
    api.invalid(COACH, case_id, "/erasure-requests", {**DOSSIER, "scope": "everything"}, "scope")


def refused_as_invalid(api: Api, case_id: str, body: Body) -> None:
    """A 422 problem before any rule runs; nothing is stored."""
    version = api.case(case_id)["version"]
    response = api.post(PRIVACY_OFFICER, case_id, assess(), body)
    assert response.status_code == 422, (body, response.text)
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["errors"], response.text
    assert api.case(case_id)["version"] == version


def test_a_refusal_names_its_legal_ground_and_its_justification(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    for body in (
        {"granted": False},
        {"granted": False, "refusal_ground": "legal_obligation"},
        {"granted": False, "justification": "Een rechtszaak loopt"},
        {**REFUSE, "justification": ""},
        {**REFUSE, "refusal_ground": "we_keep_everything"},
        {**GRANT, "refusal_ground": "legal_obligation"},
        {"granted": "yes"},
        {},
    ):
        refused_as_invalid(api, case_id, body)
    blank = {**REFUSE, "justification": "   "}
    response = api.post(PRIVACY_OFFICER, case_id, assess(), blank)
    assert response.status_code == 422, response.text
    assert receipt(api, case_id).json()["status"] == "requested"

    api.do(PRIVACY_OFFICER, case_id, assess(), REFUSE)
    answer = receipt(api, case_id).json()
    assert (answer["status"], answer["refusal_ground"]) == ("refused", "legal_obligation")
    assert (answer["destroyed"], answer["executed_at"]) == ([], None)
    assert "refused" in answer["destroyed_what"]


def test_only_a_granted_request_is_executed_and_each_step_happens_once(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    api.refused(PRIVACY_OFFICER, case_id, execution(), None, ORDER_RULE)
    api.do(PRIVACY_OFFICER, case_id, assess(), REFUSE)
    api.refused(PRIVACY_OFFICER, case_id, execution(), None, ORDER_RULE)
    api.refused(PRIVACY_OFFICER, case_id, assess(), GRANT, ORDER_RULE)

    api.do(COACH, case_id, "/erasure-requests", {**DOSSIER, "request_id": "e2"})
    api.do(PRIVACY_OFFICER, case_id, assess("e2"), GRANT)
    api.refused(PRIVACY_OFFICER, case_id, assess("e2"), REFUSE, ORDER_RULE)
    api.refused(PRIVACY_OFFICER, case_id, assess("e9"), GRANT, "names-what-the-case-has", 404)
    api.refused(PRIVACY_OFFICER, case_id, execution("e9"), None, "names-what-the-case-has", 404)
    assert api.case(case_id)["erased"] is False
    api.do(PRIVACY_OFFICER, case_id, execution("e2"))
    assert api.case(case_id)["erased"] is True


def test_a_legal_hold_stops_the_execution_until_it_is_lifted(api: Api) -> None:
    case_id = api.coached_case()
    granted(api, case_id, DOSSIER)
    api.do(PRIVACY_OFFICER, case_id, "/legal-hold", HOLD)
    assert api.case(case_id)["legal_hold"] is True
    api.refused(PRIVACY_OFFICER, case_id, "/legal-hold", HOLD, HOLD_RULE)

    api.refused(PRIVACY_OFFICER, case_id, execution(), None, HOLD_RULE)
    assert api.case(case_id)["erased"] is False
    assert members_of(api.case(case_id))["mother"]["name"] == "Name of mother"
    assert receipt(api, case_id).json()["status"] == "granted"

    api.do(PRIVACY_OFFICER, case_id, "/legal-hold/lift", {"reason": "Uitspraak gedaan"})
    assert api.case(case_id)["legal_hold"] is False
    api.refused(PRIVACY_OFFICER, case_id, "/legal-hold/lift", HOLD, HOLD_RULE)
    api.do(PRIVACY_OFFICER, case_id, execution())
    assert api.case(case_id)["erased"] is True
    assert receipt(api, case_id).json()["status"] == "executed"


def test_a_legal_hold_says_why(api: Api) -> None:
    case_id = api.coached_case()
    api.invalid(PRIVACY_OFFICER, case_id, "/legal-hold", {"reason": ""}, "reason")
    api.invalid(PRIVACY_OFFICER, case_id, "/legal-hold", {}, "reason")


# --- who may do what ----------------------------------------------------------------------


def test_the_privacy_officer_assesses_and_executes_but_does_not_read_the_case(api: Api) -> None:
    case_id = api.coached_case()
    assert api.get(case_id, PRIVACY_OFFICER).status_code == 404
    api.do(PRIVACY_OFFICER, case_id, "/erasure-requests", DOSSIER)
    conversation = {"kind": "help", "minutes": "5", "writing_minutes": "0"}
    assert api.post(PRIVACY_OFFICER, case_id, "/conversations", conversation).status_code == 404
    api.do(PRIVACY_OFFICER, case_id, assess(), GRANT)
    api.do(PRIVACY_OFFICER, case_id, "/legal-hold", HOLD)
    api.do(PRIVACY_OFFICER, case_id, "/legal-hold/lift", HOLD)
    api.do(PRIVACY_OFFICER, case_id, execution())
    assert api.get(case_id, PRIVACY_OFFICER).status_code == 404
    assert receipt(api, case_id, user=PRIVACY_OFFICER).status_code == 200


def test_an_administrator_may_do_all_of_it(api: Api) -> None:
    case_id = api.coached_case()
    api.do(ADMIN, case_id, "/erasure-requests", DOSSIER)
    api.do(ADMIN, case_id, assess(), GRANT)
    api.do(ADMIN, case_id, execution())
    assert receipt(api, case_id, user=ADMIN).json()["status"] == "executed"


def test_those_providing_care_record_a_request_but_neither_assess_nor_execute_it(
    api: Api,
) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    api.do(COORDINATOR, case_id, "/erasure-requests", {**CHILD_IDENTITY, "request_id": "e2"})
    for user in (COACH, COORDINATOR):
        for path, body in (
            (assess(), GRANT),
            (execution(), None),
            ("/legal-hold", HOLD),
            ("/legal-hold/lift", HOLD),
        ):
            response = api.post(user, case_id, path, body)
            assert response.status_code == 403, (user.subject, path, response.text)
    assert receipt(api, case_id).json()["status"] == "requested"


def test_readers_without_care_are_forbidden_and_outsiders_find_no_case(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/referrals", REFERRAL_BODY)  # the partner has a part in the case
    other_case = api.coached_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    api.do(COACH, other_case, "/erasure-requests", DOSSIER)
    version = api.case(case_id)["version"]
    request = {**DOSSIER, "request_id": "e2"}

    readers = [(PARTNER, case_id, 403), (AUDITOR, case_id, 403), (TEAM_MANAGER, case_id, 403)]
    outsiders = [(PARTNER, other_case, 404), (ANALYST, case_id, 404), (OTHER_COACH, case_id, 404)]
    for user, case, status in [*readers, *outsiders]:
        for path, body in (
            ("/erasure-requests", request),
            (assess(), GRANT),
            (execution(), None),
            ("/legal-hold", HOLD),
        ):
            response = api.post(user, case, path, body)
            assert response.status_code == status, (user.subject, path, response.text)
            assert response.headers["content-type"] == PROBLEM_JSON
        assert receipt(api, case, user=user).status_code == status, user.subject
    assert api.case(case_id)["version"] == version


# --- the overview's signal ----------------------------------------------------------------


def erasure_signals(api: Api, case_id: str) -> list[str] | None:
    """The erasure_due messages of the case in the coordinator's overview; None if the
    overview does not list the case."""
    response = api.client.get(
        "/v1/overview", params={"position": api.position}, headers=api.headers(COORDINATOR)
    )
    assert response.status_code == 200, response.text
    for case in response.json()["cases"]:
        if case["case_id"] == case_id:
            return [s["message"] for s in case["signals"] if s["code"] == "erasure_due"]
    return None


def at_day(clock: FixedClock, day: date) -> None:
    clock.at = datetime(day.year, day.month, day.day, 12, tzinfo=NOW.tzinfo)


def test_the_overview_signals_a_request_from_21_days_before_its_deadline(
    api: Api, clock: FixedClock
) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    assert erasure_signals(api, case_id) == []

    at_day(clock, DUE_ON - timedelta(days=22))
    assert erasure_signals(api, case_id) == []
    at_day(clock, DUE_ON - timedelta(days=21))
    [message] = erasure_signals(api, case_id) or [""]
    assert "e1" in message and "due in 21 days" in message and DUE_ON.isoformat() in message

    api.do(PRIVACY_OFFICER, case_id, assess(), GRANT)  # granted, not yet carried out
    assert len(erasure_signals(api, case_id) or []) == 1
    at_day(clock, DUE_ON + timedelta(days=3))
    [message] = erasure_signals(api, case_id) or [""]
    assert "overdue by 3 days" in message

    api.do(PRIVACY_OFFICER, case_id, execution())
    assert erasure_signals(api, case_id) == []


def test_a_refused_request_is_no_longer_signalled(api: Api, clock: FixedClock) -> None:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    api.do(COACH, case_id, "/erasure-requests", {**CHILD_IDENTITY, "request_id": "e2"})
    at_day(clock, DUE_ON - timedelta(days=10))
    assert len(erasure_signals(api, case_id) or []) == 2

    api.do(PRIVACY_OFFICER, case_id, assess(), REFUSE)
    [message] = erasure_signals(api, case_id) or [""]
    assert "e2" in message
    api.do(PRIVACY_OFFICER, case_id, assess("e2"), GRANT)
    api.do(PRIVACY_OFFICER, case_id, execution("e2"))
    assert erasure_signals(api, case_id) == []


def test_a_request_on_a_closed_case_is_signalled_too(api: Api, clock: FixedClock) -> None:
    case_id = api.closed_case()
    api.do(COACH, case_id, "/erasure-requests", DOSSIER)
    at_day(clock, DUE_ON - timedelta(days=7))

    signals = erasure_signals(api, case_id)

    assert signals is not None, "the overview does not list the closed case with its request"
    assert len(signals) == 1 and "due in 7 days" in signals[0]
    api.do(PRIVACY_OFFICER, case_id, assess(), GRANT)
    api.do(PRIVACY_OFFICER, case_id, execution())
    assert not erasure_signals(api, case_id)  # closed, nothing outstanding: not listed


def test_a_legal_hold_placed_through_another_api_process_stops_the_execution(
    api: Api, api_settings: Settings, clock: FixedClock, auth: Headers
) -> None:
    """Two API processes on one store: this one holds the case in memory, granted and
    hold-free; the other places a legal hold. The execution here must destroy nothing."""
    case_id = api.coached_case()
    granted(api, case_id, DOSSIER)
    with TestClient(create_app(api_settings, clock), raise_server_exceptions=False) as client:
        Api(client, auth, position=api.position).do(PRIVACY_OFFICER, case_id, "/legal-hold", HOLD)

    response = api.post(PRIVACY_OFFICER, case_id, execution())

    assert response.status_code == 409, response.text
    assert response.json()["rule"] == HOLD_RULE
    with TestClient(create_app(api_settings, clock), raise_server_exceptions=False) as client:
        fresh = Api(client, auth)  # a process that reads the case from the store
        response = fresh.get(case_id, COORDINATOR)
    assert response.status_code == 200, response.text
    case = response.json()
    assert (case["legal_hold"], case["erased"]) == (True, False)
    assert members_of(case)["mother"]["name"] == "Name of mother"
    assert case["help_question"] == HELP_QUESTION
