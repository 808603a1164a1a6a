"""The privacy rules an outside tester tried, each a test named for the rule: disclosures
open exactly what they name (or are refused, saying why), partners see their own tasks
and no more without consent, and `withheld` tells the truth."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.authorization import Role, User
from tests.http.case_api import COORDINATOR, PARTNER, PLAN_BODY, REFERRAL_BODY, Api, Body
from tests.http.conftest import Headers, melding_json

VEILIG_THUIS = User("melder-1", "veilig-thuis", frozenset({Role.PARTNER}))
SCHOOL = User("mentor-1", "school-de-linde", frozenset({Role.PARTNER}))
MELDRECHT: Body = {
    "organisation": "veilig-thuis",
    "members": ["child"],
    "categories": ["safety"],
    "legal_ground": "meldrecht_wmo_2015_art_5.2.6",
    "justification": "Zorgen over de veiligheid van het kind",
}
SAFETY: Body = {"method": "signs_of_safety", "verdict": "concerns", "notes": "blauwe plekken"}


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def withheld(case: dict[str, Any]) -> dict[str, str]:
    return {w["category"]: w["reason"] for w in case["withheld"] if "member_id" not in w}


def test_a_meldrecht_disclosure_about_a_child_opens_the_familys_safety_data(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COORDINATOR, case_id, "/safety-assessments", SAFETY)
    api.do(COORDINATOR, case_id, "/escalations", {"target": "veilig_thuis", "reason": "zorgen"})
    api.do(COORDINATOR, case_id, "/disclosures", MELDRECHT)  # the OpenAPI example's shape
    seen = api.case(case_id, VEILIG_THUIS)
    assert [s["notes"] for s in seen["safety_assessments"]] == ["blauwe plekken"]
    assert [e["reason"] for e in seen["escalations"]] == ["zorgen"]
    assert "safety" not in withheld(seen)
    assert any("meldrecht" in g for g in seen["legal_grounds"])
    assert "help_question" not in seen  # what it did not name stays closed


def test_a_disclosure_of_family_data_that_names_no_child_is_refused_saying_why(api: Api) -> None:
    case_id = api.coached_case()
    response = api.post(COORDINATOR, case_id, "/disclosures", {**MELDRECHT, "members": ["mother"]})
    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "disclosure-opens-what-it-names"
    assert "name the child" in response.json()["detail"]


def test_a_disclosure_of_a_secret_address_is_refused_saying_why(api: Api) -> None:
    members = melding_json()["members"]
    members[0] = {**members[0], "address_secret": True}
    case_id = api.coached_case(members=members)
    body = {**MELDRECHT, "members": ["mother"], "categories": ["identity", "contact_address"]}
    response = api.post(COORDINATOR, case_id, "/disclosures", body)
    assert response.status_code == 409, response.text
    assert "secret" in response.json()["detail"]


def test_a_partner_sees_its_own_plan_agreement_without_consent(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COORDINATOR, case_id, "/referrals", REFERRAL_BODY)
    agreements = [
        {"agreement_id": "a1", "organisation": PARTNER.organisation, "task": "Intake Lisa"},
        {"agreement_id": "a2", "organisation": "school-de-linde", "task": "Mentor belt wekelijks"},
    ]
    api.do(COORDINATOR, case_id, "/plan", {**PLAN_BODY, "agreements": agreements})
    seen = api.case(case_id, PARTNER)
    assert [a["task"] for a in seen["plan"]["agreements"]] == ["Intake Lisa"]
    assert "goals" not in seen["plan"]
    assert "only the plan's agreements with ggz-haaglanden" in withheld(seen)["plan"]


def test_an_organisation_with_an_agreement_in_the_plan_reads_the_case_and_its_task(
    api: Api,
) -> None:
    case_id = api.coached_case()
    api.do(COORDINATOR, case_id, "/plan", PLAN_BODY)  # an agreement with school-de-linde
    seen = api.case(case_id, SCHOOL)
    assert [a["organisation"] for a in seen["plan"]["agreements"]] == ["school-de-linde"]
    assert [m.get("name") for m in seen["members"]] == [None, None, None]


def test_without_consent_a_referral_partner_sees_no_triage_nor_who_met(api: Api) -> None:
    case_id = api.coached_case()
    api.do(COORDINATOR, case_id, "/triage", {"outcome": "complex", "coordination_level": 5})
    body = {"members": ["mother"], "organisations": ["jgz"], "decisions": "Een plan"}
    api.do(COORDINATOR, case_id, "/round-tables", body)
    api.do(
        COORDINATOR,
        case_id,
        "/conversations",
        {"kind": "help", "minutes": "10", "writing_minutes": "5"},
    )
    api.do(COORDINATOR, case_id, "/referrals", REFERRAL_BODY)
    seen = api.case(case_id, PARTNER)
    assert "triage_outcome" not in seen and "coordination_level" not in seen
    assert [set(r) for r in seen["round_tables"]] == [{"occurred_at"}]
    assert "participants" not in seen["conversation_log"][0]
    assert seen["coach"] == "coach-anna"  # who coordinates the care: a partner needs to know
    assert [r["referral_id"] for r in seen["referrals"]] == ["r1"]
    assert "only the referrals addressed to ggz-haaglanden are shown" in withheld(seen)["referrals"]


AUDITOR = User("auditor-1", "inspectie", frozenset({Role.AUDITOR}))


def test_a_secret_address_never_leaves_direct_care_not_even_in_the_history(api: Api) -> None:
    members = melding_json()["members"]
    members[0] = {**members[0], "address": "Geheime straat 1", "address_secret": True}
    case_id = api.coached_case(members=members)
    for as_of in ("", "?as_of=2026-06-01T12:00:00%2B00:00"):
        response = api.client.get(
            f"/v1/cases/{case_id}/history{as_of}", headers=api.headers(AUDITOR)
        )
        assert response.status_code == 200, response.text
        assert "Geheime straat" not in response.text
        opened = response.json()["events"][0]
        assert opened["data"]["members"][0]["address"] is None
        assert opened["withheld"] == ["members.0.address"]
        assert opened["data"]["members"][1]["address"]  # the father's is not secret
    in_care = api.client.get(f"/v1/cases/{case_id}", headers=api.headers(COORDINATOR))
    assert "Geheime straat" in in_care.text


def test_a_history_read_is_logged_once_with_what_it_showed_and_its_trace(api: Api) -> None:
    case_id = api.coached_case()
    trace = "0af7651916cd43dd8448eb211c80319c"
    headers = {**api.headers(AUDITOR), "traceparent": f"00-{trace}-b7ad6b7169203331-01"}
    assert api.client.get(f"/v1/cases/{case_id}/history", headers=headers).status_code == 200
    log = api.client.get(f"/v1/cases/{case_id}/access-log", headers=api.headers(AUDITOR)).json()
    (record,) = [r for r in log if r["purpose"] == "audit"]
    assert record["trace_id"] == trace
    assert "identity" in record["categories"] and "contact_address" in record["categories"]
