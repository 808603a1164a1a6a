"""A small driver for the case API in tests: open a case, send commands, read the case,
and check that a refused command answers problem+json and stores nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from httpx import Response

from domain.authorization import Role, User
from tests.conftest import NOW
from tests.http.conftest import COORDINATOR_USER, Headers, melding_json

PROBLEM_JSON = "application/problem+json"
COORDINATOR = COORDINATOR_USER
COACH = User("coach-anna", "cjg-den-haag", frozenset({Role.COACH}))
OTHER_COACH = User("coach-bob", "cjg-den-haag", frozenset({Role.COACH}))
PARTNER = User("ggz-behandelaar-1", "ggz-haaglanden", frozenset({Role.PARTNER}))
Body = dict[str, Any]

COACH_BODY: Body = {"coach": COACH.subject, "organisation": COACH.organisation}
REFERRAL_BODY: Body = {
    "referral_id": "r1",
    "member_id": "child",
    "destination": "specialised_ggz",
    "organisation": PARTNER.organisation,
}
WAITLIST_CONSENT_BODY: Body = {
    "consent_id": "consent-waitlist",
    "given_by": ["mother", "father"],
    "about": ["mother", "father", "child"],
    "organisation": "cjg-den-haag",
    "categories": ["identity", "help_question"],
    "purpose": "waitlist",
    "form": "written",
}
REFERRAL_CONSENT_BODY: Body = {
    "consent_id": "c1",
    "given_by": ["mother"],
    "about": ["child"],
    "organisation": PARTNER.organisation,
    "categories": ["help_question", "referrals"],
    "purpose": "referral",
    "form": "oral",
}
PLAN_BODY: Body = {
    "goals": [
        {
            "goal_id": "g1",
            "member_id": "child",
            "life_domain": "school",
            "description": "Gaat weer elke dag naar school",
        }
    ],
    "agreements": [
        {
            "agreement_id": "a1",
            "organisation": "school-de-linde",
            "task": "Dagelijks contact met moeder",
            "due": "2026-07-01",
        }
    ],
    "next_evaluation": "2026-09-01",
}
CLOSE_BODY: Body = {"reason": "goals_reached", "relapse_risk": "low", "aftercare_by": "jgz"}

EVERY_COMMAND: tuple[tuple[str, Body], ...] = (
    ("/triage", {"outcome": "complex", "coordination_level": 5}),
    ("/conversations", {"kind": "help", "minutes": "22.5", "writing_minutes": "10"}),
    ("/time-registrations", {"minutes": "120", "writing_minutes": "30"}),
    ("/help-question/answer", {}),
    ("/waitlist", {"priority": 2}),
    ("/waitlist/contacts", {}),
    ("/waitlist/leave", {"exit": "withdrawn"}),
    ("/coach", COACH_BODY),
    ("/coach/change", {"coach": "coach-bob", "organisation": "cjg-den-haag", "reason": "verlof"}),
    ("/coach/end", {"reason": "doelen bereikt"}),
    ("/regisseur/announcements", {"organisations": ["jgz"]}),
    ("/separate-plans", {"organisation": "ggz-haaglanden"}),
    ("/round-tables", {"members": ["mother"], "organisations": ["jgz"], "decisions": "Een plan"}),
    ("/plan", PLAN_BODY),
    ("/plan/revisions", PLAN_BODY),
    ("/plan/evaluations", {"members": ["mother"], "organisations": ["school-de-linde"]}),
    ("/plan/broken-agreements", {"agreement_id": "a1"}),
    ("/referrals", REFERRAL_BODY),
    ("/referrals/r1/accept", {}),
    ("/referrals/r1/reject", {"reason": "geen plek"}),
    ("/referrals/r1/start", {}),
    ("/referrals/r1/end", {"reason": "behandeling afgerond"}),
    ("/referrals/r1/extend", {"until": "2026-12-31", "reason": "nog 3 maanden nodig"}),
    ("/consents", REFERRAL_CONSENT_BODY),
    ("/consents/c1/withdraw", {"withdrawn_by": ["mother"]}),
    ("/refusals", {"given_by": ["mother"], "recipient": "father", "categories": ["health"]}),
    (
        "/disclosures",
        {
            "organisation": "veilig-thuis",
            "members": ["child"],
            "categories": ["safety"],
            "legal_ground": "meldrecht_wmo_2015_art_5.2.6",
            "justification": "Zorgen over de veiligheid van het kind",
        },
    ),
    (
        "/non-disclosures",
        {
            "organisation": "school-de-linde",
            "members": ["child"],
            "categories": ["health"],
            "considerations": "Niet nodig voor de begeleiding op school",
        },
    ),
    ("/safety-assessments", {"method": "signs_of_safety", "verdict": "concerns"}),
    ("/escalations", {"target": "steering_group", "reason": "Afspraken niet nagekomen"}),
    ("/close", CLOSE_BODY),
    ("/reopen", {"help_question_id": "hq-1"}),
)
ERASURE_COMMANDS: tuple[tuple[str, Body], ...] = (
    ("/erasure-requests", {"request_id": "e1", "requested_by": "mother", "scope": "dossier"}),
    ("/erasure-requests/e1/assessment", {"granted": True}),
    ("/erasure-requests/e1/execution", {}),
    ("/legal-hold", {"reason": "procedure bij de rechtbank"}),
    ("/legal-hold/lift", {"reason": "uitspraak gedaan"}),
)
"""Their own rules (they work on closed cases too; most are the privacy officer's):
tests/http/test_erasure_api.py."""
"""A valid body for every command endpoint (referral r1, consent c1)."""


def stamp(moment: datetime) -> str:
    """An occurred_at as the API takes it: ISO 8601 with its timezone."""
    return moment.isoformat()


def days_ago(days: float) -> str:
    return stamp(NOW - timedelta(days=days))


@dataclass
class Api:
    """Drives the API as one test's users. Every accepted write must answer a position
    greater than any seen before."""

    client: TestClient
    auth: Headers
    position: int = 0
    _headers: dict[User, dict[str, str]] = field(default_factory=dict)

    def headers(self, user: User) -> dict[str, str]:
        if user not in self._headers:
            self._headers[user] = self.auth(user)
        return self._headers[user]

    def _advance(self, position: int) -> int:
        assert position > self.position, f"position {position} after {self.position}"
        self.position = position
        return position

    def open_case(self, user: User = COORDINATOR, **overrides: Any) -> str:
        response = self.client.post(
            "/v1/cases", json=melding_json(**overrides), headers=self.headers(user)
        )
        assert response.status_code == 201, response.text
        self._advance(response.json()["position"])
        return str(response.json()["case_id"])

    def post(
        self, user: User, case_id: str | UUID, path: str, body: Body | None = None
    ) -> Response:
        response: Response = self.client.post(
            f"/v1/cases/{case_id}{path}", json=body or {}, headers=self.headers(user)
        )
        return response

    def do(self, user: User, case_id: str | UUID, path: str, body: Body | None = None) -> int:
        """Send a command that must succeed; its position."""
        response = self.post(user, case_id, path, body)
        assert response.status_code == 200, f"{path}: {response.text}"
        made = set(response.json()) - {"position"}
        assert made <= {"conversation_id", "referral_id", "consent_id", "refusal_id", "request_id"}
        return self._advance(response.json()["position"])

    def get(
        self, case_id: str | UUID, user: User = COORDINATOR, position: int | None = None
    ) -> Response:
        params = {} if position is None else {"position": position}
        url = f"/v1/cases/{case_id}"
        response: Response = self.client.get(url, params=params, headers=self.headers(user))
        return response

    def case(
        self, case_id: str | UUID, user: User = COORDINATOR, position: int | None = None
    ) -> Body:
        """The case as `user` reads it, once `position` (default: the last write) is readable."""
        response = self.get(case_id, user, self.position if position is None else position)
        assert response.status_code == 200, response.text
        case: Body = response.json()
        return case

    def refused(
        self,
        user: User,
        case_id: str | UUID,
        path: str,
        body: Body | None,
        rule: str,
        status: int = 409,
    ) -> Body:
        """The command is refused under `rule`, as problem+json, and nothing is stored."""
        version = self.case(case_id)["version"]
        response = self.post(user, case_id, path, body)
        assert response.status_code == status, f"{path}: {response.text}"
        assert response.headers["content-type"] == PROBLEM_JSON
        problem: Body = response.json()
        assert problem["status"] == status
        assert problem["rule"] == rule, problem
        assert problem["detail"]
        if status == 422:  # invalid input names its field, as a body's schema errors do
            assert problem["errors"] and problem["errors"][0]["field"].startswith("body")
        assert self.case(case_id)["version"] == version, f"{path} stored something"
        return problem

    def invalid(
        self, user: User, case_id: str | UUID, path: str, body: Body, field_name: str
    ) -> Body:
        """The body is refused before any rule runs, naming the offending field; nothing
        is stored."""
        version = self.case(case_id)["version"]
        problem = assert_invalid(self.post(user, case_id, path, body), field_name)
        assert self.case(case_id)["version"] == version, f"{path} stored something"
        return problem

    def invalid_each(
        self, user: User, case_id: str | UUID, path: str, cases: Sequence[tuple[Body, str]]
    ) -> None:
        """Each (body, field) is refused with 422 naming the field; nothing is stored."""
        for body, field_name in cases:
            self.invalid(user, case_id, path, body, field_name)

    def coached_case(self, **overrides: Any) -> str:
        """An open case whose regisseur is COACH."""
        case_id = self.open_case(**overrides)
        self.do(COORDINATOR, case_id, "/coach", COACH_BODY)
        return case_id

    def with_referral_and_consent(self, case_id: str) -> str:
        """The case, now with the referral `r1` and the consent `c1` that EVERY_COMMAND's
        steps on a referral and a consent name (unknown ones answer 404 before any rule)."""
        self.do(COORDINATOR, case_id, "/consents", REFERRAL_CONSENT_BODY)
        self.do(COORDINATOR, case_id, "/referrals", REFERRAL_BODY)
        return case_id

    def closed_case(self) -> str:
        """A case that COACH coached and closed, with the referral `r1` and consent `c1`."""
        case_id = self.with_referral_and_consent(self.coached_case())
        self.do(COACH, case_id, "/close", CLOSE_BODY)
        return case_id


def assert_invalid(response: Response, field_name: str) -> Body:
    """A 422 problem whose errors name `body.<field_name>`."""
    assert response.status_code == 422, (field_name, response.text)
    assert response.headers["content-type"] == PROBLEM_JSON
    problem: Body = response.json()
    fields = [error["field"] for error in problem["errors"]]
    assert f"body.{field_name}" in fields, (field_name, fields)
    return problem


def without(body: Body, *names: str) -> Body:
    return {k: v for k, v in body.items() if k not in names}
