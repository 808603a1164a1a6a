"""Who may do what to one family case over HTTP: every endpoint, for every kind of user.

The case is in den-haag/centrum; coach-anna (cjg-den-haag) is its regisseur, the child is
referred to ggz-haaglanden and the mother to jeugdhulp-west. The tables below are
domain/authorization.py read off for that case, one row per user:

- RIGHTS, per kind of case endpoint. Reading: the whole case, the case without personal
  data (a referral partner), or 404 (for them the case does not exist). Intake, care and
  answering each referral: allowed (2xx, or 409/422 when a rule of the case says no),
  403 (they read the case but may not do this), or 404.
- OPENS_A_CASE: POST /v1/cases for den-haag/centrum.
- VIEWS: the coordination views, which show the case, leave it out, or refuse.

Each user meets one such case, and the endpoints run on it in the order of ENDPOINTS:
whatever is refused stores nothing, and nothing a user may do takes away their own part in
the case (closing, reopening and ending the coaching come last). The family's names,
address and help question are planted as markers: they appear in no answer except a
whole-case read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.authorization import Role, User
from tests.http.case_api import ERASURE_COMMANDS as ERASURE  # tests/http/test_erasure_api.py
from tests.http.conftest import COORDINATOR_USER, Headers, melding_json

MARKERS = (
    "Marker-Name-Moeder",
    "Marker-Name-Vader",
    "Marker-Name-Kind",
    "Marker-Straat 12",
    "Marker-Hulpvraag",
)
# Authorization is decided above the store and this file starts ~50 clients: SQLite only.
ON_SQLITE = pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)

PARTNER_ORGANISATION = "ggz-haaglanden"
OTHER_PROVIDER = "jeugdhulp-west"

# What an answer must be (the cells of RIGHTS).
WHOLE = "200 with the whole case"
PART = "200 without personal data"
YES = "allowed: 2xx, or 409/422 by a rule of the case"
NO = "403 forbidden"
HIDDEN = "404 not found"
ANON = "401 unauthenticated"
SHOWN = "200 with the case"
UNLISTED = "200 without the case"


@dataclass(frozen=True)
class Rights:
    read: str
    intake: str
    care: str
    ggz_referral: str
    other_referral: str


@dataclass(frozen=True)
class Views:
    case_overview: str
    overview: str
    waitlist: str
    caseload: str


def user(
    subject: str,
    organisation: str,
    role: Role,
    municipality: str | None = None,
    team: str | None = None,
) -> User:
    return User(subject, organisation, frozenset({role}), municipality, team)


C, M, P, A = Role.COORDINATOR, Role.TEAM_MANAGER, Role.PARTNER, Role.ANALYST
USERS: dict[str, User | None] = {
    "anonymous": None,
    "coordinator_of_the_team": COORDINATOR_USER,
    "coordinator_of_the_municipality": user("coordinator-2", "cjg-den-haag", C, "den-haag"),
    "coordinator_of_another_team": user("coordinator-3", "cjg-den-haag", C, "den-haag", "west"),
    "coordinator_elsewhere": user("coordinator-4", "cjg-rotterdam", C, "rotterdam", "centrum"),
    "coach_of_the_case": user("coach-anna", "cjg-den-haag", Role.COACH),
    "other_coach_same_organisation": user("coach-bram", "cjg-den-haag", Role.COACH),
    "coach_of_another_organisation": user("coach-carla", "wijkteam-delft", Role.COACH),
    "partner_referred_to": user("therapist-1", PARTNER_ORGANISATION, P),
    "partner_not_referred_to": user("therapist-2", "jeugdzorg-rijnmond", P),
    "manager_of_the_team": user("manager-1", "cjg-den-haag", M, "den-haag", "centrum"),
    "manager_of_the_municipality": user("manager-2", "cjg-den-haag", M, "den-haag"),
    "manager_of_another_team": user("manager-3", "cjg-den-haag", M, "den-haag", "west"),
    "manager_elsewhere": user("manager-4", "cjg-rotterdam", M, "rotterdam"),
    "auditor_same_organisation": user("auditor-1", "cjg-den-haag", Role.AUDITOR),
    "auditor_of_another_organisation": user("auditor-2", "inspectie-jenv", Role.AUDITOR),
    "analyst_of_the_team": user("analyst-1", "cjg-den-haag", A, "den-haag", "centrum"),
    "analyst_of_another_organisation": user("analyst-2", "cbs", A),
    "admin_same_organisation": user("admin-1", "cjg-den-haag", Role.ADMIN),
    "admin_of_another_organisation": user("admin-2", "gemeente-beheer", Role.ADMIN),
}

TESTED_ELSEWHERE = {
    ("GET", "/v1/access-log"),
    ("GET", "/v1/cases"),  # tests/http/test_case_search.py
    ("POST", "/v1/cases/search"),  # tests/http/test_case_search.py
    ("GET", "/v1/cases/{case_id}/access-log"),
    ("GET", "/v1/cases/{case_id}/history"),  # tests/http/test_audit_history.py
    ("GET", "/v1/cases/{case_id}/inspection"),  # tests/http/test_audit_history.py
    ("GET", "/v1/reports/monitor"),  # tests/http/test_report_monitor.py
    # The families waiting and the providers' summary: the same rights as
    # /v1/waitlist/providers (one `waitlist_view`), places and roles in
    # tests/http/test_coordination_lists.py.
    ("GET", "/v1/waitlist"),
    ("GET", "/v1/waitlist/providers/summary"),
    *(("POST", "/v1/cases/{case_id}" + p.replace("/e1/", "/{request_id}/")) for p, _ in ERASURE),
    ("GET", "/v1/cases/{case_id}/erasure-requests/{request_id}/receipt"),  # test_erasure_api
    *(  # tests/http/test_subscriptions_api.py
        ("POST", "/v1/subscriptions"),
        ("GET", "/v1/subscriptions"),
        ("GET", "/v1/subscriptions/{subscription_id}"),
        ("POST", "/v1/subscriptions/{subscription_id}/redelivery"),
        ("GET", "/v1/subscriptions/{subscription_id}/events"),
    ),
}

# fmt: off
RIGHTS: dict[str, Rights] = {
    #                                         read    intake  care    referral to     referral to
    #                                                                 ggz-haaglanden  jeugdhulp-west
    "anonymous":                       Rights(ANON,   ANON,   ANON,   ANON,           ANON),
    "coordinator_of_the_team":         Rights(WHOLE,  YES,    YES,    YES,            YES),
    "coordinator_of_the_municipality": Rights(WHOLE,  YES,    YES,    YES,            YES),
    "coordinator_of_another_team":     Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "coordinator_elsewhere":           Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "coach_of_the_case":               Rights(WHOLE,  NO,     YES,    YES,            YES),
    "other_coach_same_organisation":   Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "coach_of_another_organisation":   Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "partner_referred_to":             Rights(PART,   NO,     NO,     YES,            NO),
    "partner_not_referred_to":         Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "manager_of_the_team":             Rights(PART,   NO,     NO,     NO,             NO),
    "manager_of_the_municipality":     Rights(PART,   NO,     NO,     NO,             NO),
    "manager_of_another_team":         Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "manager_elsewhere":               Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "auditor_same_organisation":       Rights(WHOLE,  NO,     NO,     NO,             NO),
    "auditor_of_another_organisation": Rights(WHOLE,  NO,     NO,     NO,             NO),
    "analyst_of_the_team":             Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "analyst_of_another_organisation": Rights(HIDDEN, HIDDEN, HIDDEN, HIDDEN,         HIDDEN),
    "admin_same_organisation":         Rights(WHOLE,  YES,    YES,    YES,            YES),
    "admin_of_another_organisation":   Rights(WHOLE,  YES,    YES,    YES,            YES),
}

# Opening a case (POST /v1/cases) for den-haag/centrum: coordinators covering it, and admins.
OPENS_A_CASE: dict[str, int] = {
    "anonymous": 401,
    "coordinator_of_the_team": 201,
    "coordinator_of_the_municipality": 201,
    "coordinator_of_another_team": 403,
    "coordinator_elsewhere": 403,
    "coach_of_the_case": 403,
    "other_coach_same_organisation": 403,
    "coach_of_another_organisation": 403,
    "partner_referred_to": 403,
    "partner_not_referred_to": 403,
    "manager_of_the_team": 403,
    "manager_of_the_municipality": 403,
    "manager_of_another_team": 403,
    "manager_elsewhere": 403,
    "auditor_same_organisation": 403,
    "auditor_of_another_organisation": 403,
    "analyst_of_the_team": 403,
    "analyst_of_another_organisation": 403,
    "admin_same_organisation": 201,
    "admin_of_another_organisation": 201,
}
# fmt: on

# The coordination views, from may_see_coordination and coordination_scope: the overview of
# this case, whether the overview and the waitlist (where its two referrals wait) list it,
# and whether the caseload counts coach-anna's case. They carry no personal data at all.
# fmt: off
VIEWS: dict[str, Views] = {
    #                                       /overview/{case}  /overview  /waitlist  /caseload
    "anonymous":                       Views(ANON,            ANON,      ANON,      ANON),
    "coordinator_of_the_team":         Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "coordinator_of_the_municipality": Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "coordinator_of_another_team":     Views(HIDDEN,          UNLISTED,  UNLISTED,  UNLISTED),
    "coordinator_elsewhere":           Views(HIDDEN,          UNLISTED,  UNLISTED,  UNLISTED),
    "coach_of_the_case":               Views(SHOWN,           SHOWN,     NO,        NO),
    "other_coach_same_organisation":   Views(HIDDEN,          UNLISTED,  NO,        NO),
    "coach_of_another_organisation":   Views(HIDDEN,          UNLISTED,  NO,        NO),
    "partner_referred_to":             Views(NO,              NO,        NO,        NO),
    "partner_not_referred_to":         Views(HIDDEN,          NO,        NO,        NO),
    "manager_of_the_team":             Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "manager_of_the_municipality":     Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "manager_of_another_team":         Views(HIDDEN,          UNLISTED,  UNLISTED,  UNLISTED),
    "manager_elsewhere":               Views(HIDDEN,          UNLISTED,  UNLISTED,  UNLISTED),
    "auditor_same_organisation":       Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "auditor_of_another_organisation": Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "analyst_of_the_team":             Views(HIDDEN,          NO,        NO,        NO),
    "analyst_of_another_organisation": Views(HIDDEN,          NO,        NO,        NO),
    "admin_same_organisation":         Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
    "admin_of_another_organisation":   Views(SHOWN,           SHOWN,     SHOWN,     SHOWN),
}
# fmt: on


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str  # as the app declares it, below /v1/cases/{case_id}
    column: str  # the field of Rights that decides
    body: dict[str, Any] | None = None
    referral_id: str = ""

    def url(self, case_id: str) -> str:
        path = self.route.format(referral_id=self.referral_id, consent_id="consent-1")
        return f"/v1/cases/{case_id}{path}"

    def __str__(self) -> str:
        return f"{self.method} {self.url('{case}')}"


PLAN = {
    "goals": [
        {
            "goal_id": "g1",
            "member_id": "child",
            "life_domain": "school",
            "description": "Naar school",
        }
    ],
    "agreements": [{"agreement_id": "a1", "organisation": "school-de-linde", "task": "Bellen"}],
    "next_evaluation": "2026-09-01",
}


def referral_endpoints(referral_id: str, column: str) -> list[Endpoint]:
    bodies: dict[str, dict[str, Any]] = {
        "accept": {},
        "reject": {"reason": "geen plek"},
        "start": {},
        "extend": {"until": "2026-12-31", "reason": "nog drie maanden nodig"},
        "end": {"reason": "zorg afgerond"},
    }
    return [
        Endpoint("POST", f"/referrals/{{referral_id}}/{step}", column, body, referral_id)
        for step, body in bodies.items()
    ]


ENDPOINTS = [
    Endpoint("GET", "", "read"),
    Endpoint("POST", "/triage", "intake", {"outcome": "complex", "coordination_level": 5}),
    Endpoint("POST", "/waitlist", "intake", {"priority": 2}),
    Endpoint("POST", "/waitlist/contacts", "intake", {}),
    Endpoint("POST", "/waitlist/leave", "intake", {"exit": "withdrawn"}),
    Endpoint("POST", "/coach", "intake", {"coach": "coach-bram", "organisation": "cjg-den-haag"}),
    Endpoint(
        "POST",
        "/coach/change",
        "intake",
        {"coach": "coach-bram", "organisation": "cjg-den-haag", "reason": "verlof"},
    ),
    Endpoint(
        "POST",
        "/conversations",
        "care",
        {"kind": "clarification", "minutes": "22.5", "writing_minutes": "10"},
    ),
    Endpoint("POST", "/time-registrations", "care", {"minutes": "30"}),
    Endpoint("POST", "/help-question/answer", "care", {}),
    Endpoint("POST", "/regisseur/announcements", "care", {"organisations": ["school-de-linde"]}),
    Endpoint("POST", "/separate-plans", "care", {"organisation": "ggz-haaglanden"}),
    Endpoint(
        "POST",
        "/round-tables",
        "care",
        {"members": ["mother"], "organisations": ["school-de-linde"], "decisions": "Een plan"},
    ),
    Endpoint("POST", "/plan", "care", PLAN),
    Endpoint("POST", "/plan/revisions", "care", PLAN),
    Endpoint("POST", "/plan/evaluations", "care", {"members": ["mother"], "organisations": []}),
    Endpoint("POST", "/plan/broken-agreements", "care", {"agreement_id": "a1"}),
    Endpoint(
        "POST",
        "/referrals",
        "care",
        {"member_id": "child", "destination": "jgz", "organisation": "jgz-haaglanden"},
    ),
    *referral_endpoints("ref-ggz", "ggz_referral"),
    *referral_endpoints("ref-west", "other_referral"),
    Endpoint(
        "POST",
        "/consents",
        "care",
        {
            "consent_id": "consent-1",
            "given_by": ["mother", "father"],
            "about": ["child"],
            "organisation": PARTNER_ORGANISATION,
            "categories": ["referrals"],
            "purpose": "referral",
            "form": "written",
        },
    ),
    Endpoint("POST", "/consents/{consent_id}/withdraw", "care", {"withdrawn_by": ["mother"]}),
    Endpoint(
        "POST",
        "/refusals",
        "care",
        {"given_by": ["mother"], "recipient": "father", "categories": ["contact_address"]},
    ),
    Endpoint(
        "POST",
        "/disclosures",
        "care",
        {
            "organisation": "veilig-thuis",
            "members": ["child"],
            "categories": ["safety"],
            "legal_ground": "meldrecht_wmo_2015_art_5.2.6",
            "justification": "zorgen over de veiligheid",
        },
    ),
    Endpoint(
        "POST",
        "/non-disclosures",
        "care",
        {
            "organisation": "school-de-linde",
            "members": ["child"],
            "categories": ["health"],
            "considerations": "niet nodig voor school",
        },
    ),
    Endpoint(
        "POST", "/safety-assessments", "care", {"method": "signs_of_safety", "verdict": "concerns"}
    ),
    Endpoint("POST", "/escalations", "care", {"target": "steering_group", "reason": "vastgelopen"}),
    Endpoint("POST", "/close", "care", {"reason": "goals_reached", "relapse_risk": "low"}),
    Endpoint("POST", "/reopen", "care", {"help_question_id": "hq-1"}),
    Endpoint("POST", "/coach/end", "care", {"reason": "doelen bereikt"}),
]


def headers_of(auth: Headers, who: str) -> dict[str, str]:
    known = USERS[who]
    return auth(known) if known is not None else {}


def open_family_case(client: TestClient, auth: Headers) -> str:
    """The case of the table: den-haag/centrum, coach-anna, referred to ggz and jeugdhulp."""
    members = melding_json()["members"]
    for member, name in zip(members, MARKERS[:3], strict=True):
        member["name"] = f"{name} {member['member_id']}"
        member["address"] = "Marker-Straat 12, 2511 Den Haag"
    body = melding_json(members=members, help_question="Marker-Hulpvraag: ouders zijn op")
    headers = auth(COORDINATOR_USER)
    opened = client.post("/v1/cases", json=body, headers=headers)
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["case_id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("/coach", {"coach": "coach-anna", "organisation": "cjg-den-haag"}),
        (
            "/referrals",
            {
                "referral_id": "ref-ggz",
                "member_id": "child",
                "destination": "specialised_ggz",
                "organisation": PARTNER_ORGANISATION,
            },
        ),
        (
            "/referrals",
            {
                "referral_id": "ref-west",
                "member_id": "mother",
                "destination": "other_youth_care",
                "organisation": OTHER_PROVIDER,
            },
        ),
    ]
    for path, step in steps:
        done = client.post(f"/v1/cases/{case_id}{path}", json=step, headers=headers)
        assert done.status_code == 200, done.text
    return case_id


def stored(client: TestClient) -> int:
    position: int = client.app.state.cases.position()  # type: ignore[attr-defined]
    return position


def is_problem(response: Response, status: int) -> bool:
    return (
        response.status_code == status
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["status"] == status
    )


def wrong_answer(expected: str, response: Response, recorded: int, viewer: User | None) -> str:
    """Why `response` is not what `expected` says, or "" when it is."""
    status = response.status_code
    if expected == WHOLE:
        missing = [m for m in MARKERS if m not in response.text]
        return f"missing {missing}" if status != 200 or missing else ""
    if expected == PART:
        if status != 200:
            return "not readable"
        assert viewer is not None
        shown = {r["organisation"] for r in response.json()["referrals"]}
        if shown - {viewer.organisation}:
            return f"shows referrals to {sorted(shown - {viewer.organisation})}"
        return "" if response.json()["withheld"] else "nothing marked as withheld"
    if expected == YES:
        if 200 <= status < 300:
            return "" if recorded > 0 else "answered 2xx but stored nothing"
        if status == 409 or (status == 422 and "rule" in response.json()):
            return "" if recorded == 0 else "refused but stored events"
        return "not allowed (or the test's body is invalid)"
    refusals = {NO: 403, HIDDEN: 404, ANON: 401}
    if not is_problem(response, refusals[expected]):
        return "wrong refusal"
    if expected == ANON and response.headers.get("www-authenticate") != "Bearer":
        return "no WWW-Authenticate: Bearer"
    return "" if recorded == 0 else f"refused but stored {recorded} events"


def test_the_tables_name_the_same_users() -> None:
    assert list(RIGHTS) == list(USERS) == list(OPENS_A_CASE) == list(VIEWS)


@ON_SQLITE
def test_the_tables_cover_every_route_of_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    declared = {
        (method.upper(), path) for path, operations in paths.items() for method in operations
    }
    tested = {(e.method, "/v1/cases/{case_id}" + e.route) for e in ENDPOINTS}
    tested |= {("GET", path) for path in VIEW_PATHS.values()}
    tested |= {("POST", "/v1/cases"), ("GET", "/health"), ("GET", "/health/live")}
    tested |= TESTED_ELSEWHERE  # their rights are tested in the files named there
    assert declared == tested


@ON_SQLITE
@pytest.mark.parametrize("who", list(RIGHTS))
def test_every_endpoint_answers_as_the_rights_table_says(
    client: TestClient, auth: Headers, who: str
) -> None:
    rights, headers = RIGHTS[who], headers_of(auth, who)
    case_id = open_family_case(client, auth)
    wrong: list[str] = []
    for endpoint in ENDPOINTS:
        expected = getattr(rights, endpoint.column)
        before = stored(client)
        response = client.request(
            endpoint.method, endpoint.url(case_id), json=endpoint.body, headers=headers
        )
        why = wrong_answer(expected, response, stored(client) - before, USERS[who])
        leaked = [m for m in MARKERS if m in response.text]
        if leaked and expected != WHOLE:
            why += f" and leaks {leaked}"
        if why:
            wrong.append(f"{endpoint}: expected {expected}, got {response.status_code} ({why})")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


@ON_SQLITE
@pytest.mark.parametrize("who", [who for who, rights in RIGHTS.items() if rights.read == HIDDEN])
def test_a_case_one_may_not_read_looks_exactly_like_a_missing_one(
    client: TestClient, auth: Headers, who: str
) -> None:
    """Analysts included: the answer does not even tell that the case exists."""
    case_id, missing = open_family_case(client, auth), str(uuid4())
    existing = client.get(f"/v1/cases/{case_id}", headers=headers_of(auth, who))
    absent = client.get(f"/v1/cases/{missing}", headers=headers_of(auth, who))
    assert existing.status_code == absent.status_code == 404
    assert existing.text.replace(case_id, "ID") == absent.text.replace(missing, "ID")
    assert existing.headers["content-type"] == "application/problem+json"


@ON_SQLITE
@pytest.mark.parametrize("who", list(OPENS_A_CASE))
def test_opening_a_case_is_for_coordinators_of_its_team_and_admins(
    client: TestClient, auth: Headers, who: str
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", json=melding_json(), headers=headers_of(auth, who))
    assert response.status_code == OPENS_A_CASE[who], response.text
    if response.status_code != 201:
        assert response.headers["content-type"] == "application/problem+json"
        assert stored(client) == before


@ON_SQLITE
def test_a_coordinator_elsewhere_cannot_open_a_case_in_den_haag(
    client: TestClient, auth: Headers
) -> None:
    before = stored(client)
    response = client.post(
        "/v1/cases", json=melding_json(), headers=headers_of(auth, "coordinator_elsewhere")
    )
    assert response.status_code == 403
    assert "den-haag/centrum" in response.json()["detail"]
    assert stored(client) == before


@ON_SQLITE
def test_linking_to_a_case_one_may_not_read_answers_404_and_shows_nothing(
    client: TestClient, auth: Headers
) -> None:
    """A coordinator elsewhere may open cases in rotterdam, but not learn of den-haag's."""
    den_haag_case = open_family_case(client, auth)
    before = stored(client)
    body = melding_json(
        municipality="rotterdam",
        previous_case_id=den_haag_case,
        link_consented_by=["mother"],
    )
    response = client.post(
        "/v1/cases", json=body, headers=headers_of(auth, "coordinator_elsewhere")
    )
    assert response.status_code == 404
    assert not [m for m in MARKERS if m in response.text]
    assert stored(client) == before


VIEW_PATHS = {
    "case_overview": "/v1/overview/{case_id}",
    "overview": "/v1/overview",
    "waitlist": "/v1/waitlist/providers",
    "caseload": "/v1/caseload",
}


def wrong_view(expected: str, column: str, response: Response, case_id: str) -> str:
    """Why a coordination view's answer is not what `expected` says, or "" when it is."""
    if expected not in (SHOWN, UNLISTED):
        refusals = {NO: 403, HIDDEN: 404, ANON: 401}
        return "" if is_problem(response, refusals[expected]) else "wrong refusal"
    if response.status_code != 200:
        return "not readable"
    if column == "caseload":
        coaches = response.json()["coaches"]
        shown = any(c["coach"] == "coach-anna" and c["cases"] == 1 for c in coaches)
    else:
        shown = case_id in response.text
    if shown != (expected == SHOWN):
        return "shows the case" if shown else "does not show the case"
    return ""


def wrong_views(client: TestClient, auth: Headers, who: str, columns: list[str]) -> list[str]:
    case_id = open_family_case(client, auth)
    position = {"position": stored(client)}
    wrong = []
    for column in columns:
        expected = getattr(VIEWS[who], column)
        path = VIEW_PATHS[column].format(case_id=case_id)
        response = client.get(path, params=position, headers=headers_of(auth, who))
        why = wrong_view(expected, column, response, case_id)
        leaked = [m for m in MARKERS if m in response.text]
        if leaked:
            why += f" and leaks {leaked}"
        if why:
            wrong.append(f"GET {path}: expected {expected}, got {response.status_code} ({why})")
    return wrong


@ON_SQLITE
@pytest.mark.parametrize("who", list(VIEWS))
def test_the_coordination_views_answer_as_the_views_table_says(
    client: TestClient, auth: Headers, who: str
) -> None:
    wrong = wrong_views(client, auth, who, ["case_overview", "overview", "caseload"])
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


@ON_SQLITE
@pytest.mark.parametrize("who", list(VIEWS))
def test_the_waitlist_answers_as_the_views_table_says(
    client: TestClient, auth: Headers, who: str
) -> None:
    wrong = wrong_views(client, auth, who, ["waitlist"])
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


@ON_SQLITE
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.TEAM_MANAGER])
def test_a_coordinator_without_a_municipality_finds_no_case_in_the_views(
    client: TestClient, auth: Headers, role: Role
) -> None:
    case_id = open_family_case(client, auth)
    nowhere = auth(User("someone-9", "cjg-elders", frozenset({role})))
    assert client.get(f"/v1/cases/{case_id}", headers=nowhere).status_code == 404
    paths = ("/v1/overview", "/v1/waitlist", "/v1/waitlist/providers")
    for path in (*paths, "/v1/waitlist/providers/summary"):
        response = client.get(path, params={"position": stored(client)}, headers=nowhere)
        assert response.status_code == 200
        assert case_id not in response.text, path


@ON_SQLITE
def test_health_tells_nothing_about_cases(client: TestClient, auth: Headers) -> None:
    case_id = open_family_case(client, auth)
    response = client.get("/health")
    assert response.status_code == 200
    assert case_id not in response.text
    assert not [m for m in MARKERS if m in response.text]


@ON_SQLITE
def test_a_coach_of_another_organisation_with_the_same_subject_does_not_read_the_case(
    client: TestClient, auth: Headers
) -> None:
    case_id = open_family_case(client, auth)
    namesake = user("coach-anna", "zorgbureau-elders", Role.COACH)
    response = client.get(f"/v1/cases/{case_id}", headers=auth(namesake))
    assert not [m for m in MARKERS if m in response.text]
    assert response.status_code == 404
