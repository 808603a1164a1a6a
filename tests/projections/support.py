"""Helpers for the projection tests: a case driven through the application's commands on
chosen days, views opened on a store, and the rows of a view read back in full."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from application.cases import CaseApplication
from application.settings import Settings
from domain.plan import Agreement, Goal
from domain.provenance import Actor
from domain.vocabulary import (
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    DataCategory,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
    WaitlistExit,
)
from projections.registry import PROJECTIONS, OpenView, open_view, worker_for
from projections.view import RowFilter, ViewRow
from tests.command_names import run_named
from tests.factories import COORDINATOR, OPENED_AT, melding

UPSTREAM = CaseApplication.name


def on(day: float) -> datetime:
    """The moment `day` days after the test cases open (2026-01-05 09:30 UTC)."""
    return OPENED_AT + timedelta(days=day)


def iso(day: float) -> str:
    return on(day).isoformat()


LEAN_POOL = 2
"""Connections a test's view or application keeps open on PostgreSQL (the default, 8 per
view, soon exhausts a shared server's connections when many tests and workers run)."""


def lean(settings: Settings) -> Settings:
    return settings.model_copy(update={"postgres_pool_size": LEAN_POOL})


def open_views(
    settings: Settings, names: Iterable[str] = sorted(PROJECTIONS)
) -> dict[str, OpenView]:
    return {name: open_view(lean(settings), name) for name in names}


def close_views(views: dict[str, OpenView]) -> None:
    for opened in views.values():
        opened.close()


def catch_up(app: CaseApplication, views: dict[str, OpenView]) -> None:
    """Bring every view to the store's head."""
    for opened in views.values():
        worker_for(app, opened).catch_up()


def all_rows(opened: OpenView) -> list[ViewRow]:
    return opened.view.select_rows(RowFilter())


def snapshot(views: dict[str, OpenView]) -> dict[str, tuple[int, list[ViewRow]]]:
    """Each view's position and every row, to compare views as a whole."""
    return {
        name: (opened.view.position(UPSTREAM), all_rows(opened)) for name, opened in views.items()
    }


def goal(goal_id: str, member_id: str, life_domain: str) -> Goal:
    return Goal(goal_id, member_id, life_domain, f"goal {goal_id}")


def agreement(agreement_id: str, organisation: str, due: date | None = None) -> Agreement:
    return Agreement(agreement_id, organisation, f"task {agreement_id}", due)


@dataclass
class Family:
    """One case, driven through the application's commands; `day` is days after 2026-01-05."""

    app: CaseApplication
    case_id: UUID
    actor: Actor = COORDINATOR

    @classmethod
    def open(cls, app: CaseApplication, day: float = 0, **overrides: Any) -> Family:
        case_id, _ = app.open_case(COORDINATOR, occurred_at=on(day), **melding(**overrides))
        return cls(app, case_id)

    @property
    def id(self) -> str:
        return str(self.case_id)

    def do(self, command: str, day: float, **details: Any) -> int:
        return run_named(self.app, command, self.case_id, self.actor, on(day), **details)

    def triage(self, day: float, outcome: TriageOutcome = TriageOutcome.COMPLEX) -> int:
        return self.do("triage", day, outcome=outcome, coordination_level=5)

    def consent(
        self,
        day: float,
        consent_id: str = "consent-waitlist",
        purpose: ConsentPurpose = ConsentPurpose.WAITLIST,
    ) -> int:
        return self.do(
            "grant_consent",
            day,
            consent_id=consent_id,
            given_by=["mother", "father"],
            about=["mother", "father", "child"],
            organisation="cjg-den-haag",
            categories=[DataCategory.IDENTITY, DataCategory.HELP_QUESTION],
            purpose=purpose,
            form=ConsentForm.WRITTEN,
        )

    def withdraw(self, day: float, consent_id: str = "consent-waitlist") -> int:
        return self.do("withdraw_consent", day, consent_id=consent_id, withdrawn_by=["mother"])

    def place(self, day: float, priority: int) -> int:
        return self.do("place_on_waitlist", day, priority=priority)

    def contact(self, day: float) -> int:
        return self.do("contact_waiting_family", day)

    def leave(self, day: float) -> int:
        return self.do("leave_waitlist", day, exit=WaitlistExit.WITHDRAWN)

    def assign(
        self, day: float, coach: str = "coach-anna", organisation: str = "cjg-den-haag"
    ) -> int:
        return self.do("assign_coach", day, coach=coach, organisation=organisation)

    def refer(
        self,
        day: float,
        referral_id: str,
        organisation: str = "ggz-haaglanden",
        destination: ReferralDestination = ReferralDestination.SPECIALISED_GGZ,
        member_id: str = "child",
    ) -> int:
        return self.do(
            "request_referral",
            day,
            referral_id=referral_id,
            member_id=member_id,
            destination=destination,
            organisation=organisation,
        )

    def accept(self, day: float, referral_id: str) -> int:
        return self.do("accept_referral", day, referral_id=referral_id)

    def start(self, day: float, referral_id: str) -> int:
        return self.do("start_care", day, referral_id=referral_id)

    def end(self, day: float, referral_id: str) -> int:
        return self.do("end_care", day, referral_id=referral_id, reason="doelen bereikt")

    def reject(self, day: float, referral_id: str) -> int:
        return self.do("reject_referral", day, referral_id=referral_id, reason="geen plek")

    def adopt(
        self,
        day: float,
        agreements: Sequence[Agreement] = (),
        next_evaluation: date | None = None,
        goals: Sequence[Goal] = (),
        revise: bool = False,
    ) -> int:
        return self.do(
            "revise_plan" if revise else "adopt_plan",
            day,
            goals=list(goals) or [goal("g1", "child", "school")],
            agreements=list(agreements),
            next_evaluation=next_evaluation,
        )

    def evaluate(self, day: float, next_evaluation: date | None = None) -> int:
        return self.do(
            "evaluate_plan",
            day,
            members=["mother"],
            organisations=["cjg-den-haag"],
            conclusions="op koers",
            next_evaluation=next_evaluation,
        )

    def close(self, day: float, reason: ClosureReason = ClosureReason.GOALS_REACHED) -> int:
        return self.do(
            "close_case",
            day,
            reason=reason,
            relapse_risk=RelapseRisk.LOW,
            aftercare_by="jgz",
            informed_organisations=["school-de-linde"],
        )
