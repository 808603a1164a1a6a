"""Realistic synthetic case histories, seeded so a run is reproducible: families in every
phase of the lifecycle, across municipalities and teams, written through the commands."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application.cases import CaseApplication
from domain.errors import DomainError
from domain.family import FamilyMember
from domain.plan import Agreement, Goal
from domain.provenance import Actor
from domain.vocabulary import (
    Channel,
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    MemberRole,
    ProblemCategory,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
    Urgency,
)

TEAMS = {"den-haag": ["centrum", "escamp", "laak"], "rijswijk": ["noord"], "delft": ["west"]}
COACHES = [f"coach-{n}" for n in ("anna", "bram", "chantal", "dirk", "esra", "fleur", "gijs")]
PHASES = ["melding", "waitlist", "coached", "plan", "referred", "closed", "reopened"]


class DemoWriter:
    """Writes one case's history step by step, each fact a few days after the last."""

    def __init__(self, app: CaseApplication, rng: random.Random, start: datetime) -> None:
        self.app, self.rng, self.at = app, rng, start

    def later(self, low: float = 1, high: float = 14) -> datetime:
        self.at += timedelta(days=self.rng.uniform(low, high))
        return self.at

    def family(self, n: int) -> list[FamilyMember]:
        year = self.at.year
        parents = [
            FamilyMember(
                f"parent-{i}",
                MemberRole.PARENT,
                f"Ouder {n}-{i}",
                date(year - self.rng.randint(25, 50), self.rng.randint(1, 12), 1),
                parental_authority=True,
                address=f"Straat {n}",
            )
            for i in range(1, self.rng.choice([1, 2, 2]) + 1)
        ]
        children = [
            FamilyMember(
                f"child-{i}",
                MemberRole.CHILD,
                f"Kind {n}-{i}",
                date(year - self.rng.randint(1, 17), self.rng.randint(1, 12), 1),
            )
            for i in range(1, self.rng.randint(1, 3) + 1)
        ]
        return parents + children


def write_demo(app: CaseApplication, cases: int, seed: int = 2021) -> list[UUID]:
    """Write `cases` demo cases ending 'today' on the app's clock; returns their ids."""
    rng = random.Random(seed)
    end = app.clock.now()
    return [_write_case(app, rng, n, end) for n in range(cases)]


def _write_case(app: CaseApplication, rng: random.Random, n: int, end: datetime) -> UUID:
    municipality = rng.choice(sorted(TEAMS))
    team = rng.choice(TEAMS[municipality])
    coordinator = Actor(f"coordinator-{team}", f"cjg-{municipality}", "coordinator")
    writer = DemoWriter(app, rng, end - timedelta(days=rng.uniform(120, 400)))
    members = writer.family(n)
    case_id, _ = app.open_case(
        coordinator,
        occurred_at=writer.at,
        municipality=municipality,
        team=team,
        channel=rng.choice(list(Channel)),
        reporter_organisation=rng.choice(["school", "huisarts", "jgz", "politie", "kcc"]),
        reporter_professional=f"prof-{rng.randint(1, 40)}",
        members=members,
        help_question_id="hq-1",
        help_question=f"Hulpvraag van gezin {n}",
        problems_parents=rng.sample(list(ProblemCategory), 2),
        problems_children=rng.sample(list(ProblemCategory), 1),
        urgency=rng.choice([Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT]),
    )
    phase = PHASES.index(rng.choice(PHASES))
    steps = _steps(app, case_id, coordinator, members, rng, municipality)
    for step in steps[: phase + 1]:
        try:
            step(writer)
        except DomainError:  # a generated step that does not fit this case's dates
            break
    return case_id


def _steps(
    app: CaseApplication,
    case_id: UUID,
    coordinator: Actor,
    members: list[FamilyMember],
    rng: random.Random,
    municipality: str,
) -> list[Callable[[DemoWriter], None]]:
    coach_name = rng.choice(COACHES)
    coach = Actor(coach_name, f"cjg-{municipality}", "coach")
    parents = [m.member_id for m in members if not m.is_child]
    child = next(m.member_id for m in members if m.is_child)

    def melding(w: DemoWriter) -> None:
        app.triage(
            case_id,
            coordinator,
            w.later(),
            outcome=TriageOutcome.COMPLEX,
            coordination_level=rng.randint(3, 5),
        )
        for i in range(rng.randint(1, 4)):
            app.hold_conversation(
                case_id,
                coordinator,
                w.later(),
                conversation_id=f"c{i}",
                kind=rng.choice(list(ConversationKind)),
                minutes=Decimal(rng.choice([15, 22.5, 30, 45, 60, 90])),
                writing_minutes=Decimal(rng.choice([5, 10, 15])),
                participants=parents,
            )

    def waitlist(w: DemoWriter) -> None:
        app.grant_consent(
            case_id,
            coordinator,
            w.later(),
            consent_id="consent-waitlist",
            given_by=parents,
            about=parents,
            organisation=coordinator.organisation,
            categories=[DataCategory.IDENTITY, DataCategory.HELP_QUESTION],
            purpose=ConsentPurpose.WAITLIST,
            form=ConsentForm.WRITTEN,
        )
        app.place_on_waitlist(case_id, coordinator, w.later(0, 2), priority=rng.randint(1, 5))
        for _ in range(rng.randint(0, 3)):
            app.contact_waiting_family(case_id, coordinator, w.later(10, 18))

    def coached(w: DemoWriter) -> None:
        app.assign_coach(
            case_id, coordinator, w.later(), coach=coach_name, organisation=coach.organisation
        )
        app.hold_round_table(
            case_id,
            coach,
            w.later(),
            members=parents,
            organisations=["school", "jgz"],
            decisions="Een plan, een regisseur",
        )

    def plan(w: DemoWriter) -> None:
        goals = [Goal(f"g-{m.member_id}", m.member_id, "opvoeding", "doel") for m in members]
        agreements = [Agreement("a1", "school", "wekelijks contact", (w.at + timedelta(30)).date())]
        app.adopt_plan(
            case_id,
            coach,
            w.later(7, 40),
            goals=goals,
            agreements=agreements,
            next_evaluation=(w.at + timedelta(days=90)).date(),
        )

    def referred(w: DemoWriter) -> None:
        app.request_referral(
            case_id,
            coach,
            w.later(),
            referral_id="r1",
            member_id=child,
            destination=rng.choice(list(ReferralDestination)),
            organisation=rng.choice(["ggz-haaglanden", "jeugdteam", "opvoedpunt"]),
        )
        app.accept_referral(case_id, coach, w.later(), referral_id="r1")
        app.start_care(case_id, coach, w.later(20, 120), referral_id="r1")

    def closed(w: DemoWriter) -> None:
        app.end_care(case_id, coach, w.later(), referral_id="r1", reason="doelen bereikt")
        app.evaluate_plan(
            case_id,
            coach,
            w.later(),
            members=parents,
            organisations=["school"],
            conclusions="Doelen bereikt",
            next_evaluation=None,
        )
        app.close_case(
            case_id,
            coach,
            w.later(),
            reason=ClosureReason.GOALS_REACHED,
            relapse_risk=RelapseRisk.LOW,
            aftercare_by="jgz",
            informed_organisations=["school", "jgz"],
        )

    def reopened(w: DemoWriter) -> None:
        app.reopen_case(case_id, coach, w.later(5, 60), coach=coach_name, help_question_id="hq-1")

    return [melding, waitlist, coached, plan, referred, closed, reopened]
