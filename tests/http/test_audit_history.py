"""The auditor's timeline and replay as of a moment, through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from domain.authorization import Role, User
from tests.conftest import NOW
from tests.http.case_api import COACH, COORDINATOR, Api
from tests.http.conftest import Headers

AUDITOR = User("inspecteur-1", "inspectie-jenv", frozenset({Role.AUDITOR}))
ON_SQLITE = pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def iso(moment: object) -> str:
    return moment.isoformat()  # type: ignore[attr-defined]


def history(api: Api, case_id: str, **params: str) -> dict[str, object]:
    response = api.client.get(
        f"/v1/cases/{case_id}/history", params=params, headers=api.headers(AUDITOR)
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_timeline_shows_every_event_with_its_times_actor_and_data(api: Api) -> None:
    case_id = api.coached_case()
    api.do(
        COACH,
        case_id,
        "/safety-assessments",
        {"method": "signs_of_safety", "verdict": "concerns", "notes": "zorgen"},
    )
    found = history(api, case_id)
    events = found["events"]
    assert isinstance(events, list)
    assert [e["position"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["event"] == "gezinsregie.case.opened.v1"
    last = events[-1]
    assert last["event"] == "gezinsregie.case.safety-assessed.v1"
    assert last["actor"] == {
        "subject": COACH.subject,
        "organisation": COACH.organisation,
        "role": "coach",
    }
    assert last["data"] == {"method": "signs_of_safety", "verdict": "concerns", "notes": "zorgen"}
    assert {"occurred_at", "recorded_at"} <= set(last)


def test_a_late_registered_fact_is_in_the_as_happened_state_but_not_in_the_record_then(
    api: Api, client: TestClient
) -> None:
    opened = NOW - timedelta(days=20)
    case_id = api.open_case(occurred_at=iso(opened))
    client.app.state.cases.clock.advance(days=1)  # type: ignore[attr-defined]
    late = {
        "kind": "phone",
        "minutes": "10",
        "writing_minutes": "0",
        "occurred_at": iso(opened + timedelta(days=2)),
    }
    api.do(COORDINATOR, case_id, "/conversations", late)  # recorded a day after NOW
    between = iso(opened + timedelta(days=5))

    as_recorded = history(api, case_id, as_of=iso(NOW), mode="recorded")
    as_happened = history(api, case_id, as_of=between, mode="occurred")

    assert as_recorded["state"]["conversations"] == 0  # type: ignore[index]
    assert as_happened["state"]["conversations"] == 1  # type: ignore[index]
    assert [e["event"] for e in as_happened["events"]][-1].endswith("conversation-held.v1")  # type: ignore[index]


def test_before_the_case_was_opened_there_is_no_state(api: Api) -> None:
    case_id = api.open_case()
    found = history(api, case_id, as_of=iso(NOW - timedelta(days=1)))
    assert found["events"] == []
    assert found.get("state") is None


@ON_SQLITE
def test_overrides_and_decisions_not_to_share_appear_with_their_grounds(api: Api) -> None:
    case_id = api.coached_case()
    api.do(
        COACH,
        case_id,
        "/disclosures",
        {
            "organisation": "veilig-thuis",
            "members": ["child"],
            "categories": ["safety"],
            "legal_ground": "meldrecht_wmo_2015_art_5.2.6",
            "justification": "Zorgen om veiligheid",
        },
    )
    api.do(
        COACH,
        case_id,
        "/non-disclosures",
        {
            "organisation": "school-de-linde",
            "members": ["child"],
            "categories": ["health"],
            "considerations": "Niet nodig voor school",
        },
    )
    events = history(api, case_id)["events"]
    sharing = [e["data"] for e in events if e["event"].endswith("sharing-decided.v1")]  # type: ignore[union-attr, index]
    assert sharing[0]["legal_ground"] == "meldrecht_wmo_2015_art_5.2.6"
    assert sharing[0]["justification"] == "Zorgen om veiligheid"
    assert sharing[1] == {**sharing[1], "shared": False, "justification": "Niet nodig voor school"}


@ON_SQLITE
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COACH, Role.TEAM_MANAGER])
def test_the_full_history_is_for_auditors(api: Api, role: Role) -> None:
    case_id = api.coached_case()
    reader = {Role.COORDINATOR: COORDINATOR, Role.COACH: COACH}.get(
        role, User("m", "cjg-den-haag", frozenset({role}), "den-haag", "centrum")
    )
    response = api.client.get(f"/v1/cases/{case_id}/history", headers=api.headers(reader))
    assert response.status_code == 403


@ON_SQLITE
def test_every_audit_read_is_logged_with_the_audit_purpose(api: Api) -> None:
    case_id = api.coached_case()
    history(api, case_id)
    records = api.client.get(
        "/v1/access-log", params={"case_id": case_id}, headers=api.headers(AUDITOR)
    ).json()
    audit = [r for r in records if r["purpose"] == "audit"]
    assert len(audit) == 1
    assert audit[0]["subject"] == AUDITOR.subject


def test_the_inspection_lists_every_indicator_with_its_evidence(api: Api) -> None:
    case_id = api.coached_case()
    response = api.client.get(f"/v1/cases/{case_id}/inspection", headers=api.headers(AUDITOR))
    assert response.status_code == 200, response.text
    indicators = response.json()["indicators"]
    assert len(indicators) == 33
    assert len({i["code"] for i in indicators}) == 33
    t2 = next(i for i in indicators if i["code"] == "T2")
    assert t2["verdict"] == "voldoet"
    assert t2["evidence"][0] == {"position": 1, "event": "gezinsregie.case.opened.v1"}
    verdicts = {i["verdict"] for i in indicators}
    assert verdicts <= {"voldoet", "verbeterpunt", "niet te beoordelen"}


@ON_SQLITE
def test_the_inspection_is_for_auditors_and_the_cases_team(api: Api) -> None:
    case_id = api.coached_case()
    partner = User("t", "ggz-haaglanden", frozenset({Role.PARTNER}))
    url = f"/v1/cases/{case_id}/inspection"
    assert api.client.get(url, headers=api.headers(COACH)).status_code == 200
    assert api.client.get(url, headers=api.headers(partner)).status_code == 404


def test_the_state_as_of_a_moment_can_be_asked_without_the_timeline(api: Api) -> None:
    case_id = api.coached_case()
    found = history(api, case_id, events="false")
    assert found["events"] == []
    assert found["state"]["coach"] == COACH.subject  # type: ignore[index]
