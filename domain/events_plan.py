"""Events of working together: round tables and the versioned gezinsplan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.case_event import CaseEvent
from domain.plan import Agreement, FamilyPlan, Goal
from domain.records import BrokenAgreement, RoundTable

if TYPE_CHECKING:
    from domain.case import Case


class RoundTableHeld(CaseEvent):
    """Rondetafelgesprek with the family and the professionals involved."""

    TOPIC = "gezinsregie.case.round-table-held.v1"

    members: list[str]
    organisations: list[str]
    decisions: str

    def evolve(self, case: Case) -> None:
        meeting = RoundTable(
            occurred_at=self.occurred_at,
            members=tuple(self.members),
            organisations=tuple(self.organisations),
            decisions=self.decisions,
        )
        case.round_tables = (*case.round_tables, meeting)
        if case.coaching_active:  # a round table agrees who coordinates (002)
            case.regisseur_known_to = case.regisseur_known_to | frozenset(self.organisations)


class PlanAdopted(CaseEvent):
    """The one gezinsplan (version 1), binding on all involved organisations (003)."""

    TOPIC = "gezinsregie.case.plan-adopted.v1"

    version: int
    goals: list[dict[str, Any]]
    agreements: list[dict[str, Any]]
    next_evaluation: date | None

    def evolve(self, case: Case) -> None:
        case.plan = FamilyPlan(
            version=self.version,
            goals=tuple(Goal.from_dict(g) for g in self.goals),
            agreements=tuple(Agreement.from_dict(a) for a in self.agreements),
            next_evaluation=self.next_evaluation,
            adopted_at=self.occurred_at,
        )
        in_the_plan = {a.organisation for a in case.plan.agreements}
        case.separate_plans = case.separate_plans - in_the_plan


class PlanRevised(PlanAdopted):
    """A new version of the same plan replaces the previous one."""

    TOPIC = "gezinsregie.case.plan-revised.v1"


class PlanEvaluated(CaseEvent):
    """An evaluation moment, ideally with the family and all professionals (001 A5)."""

    TOPIC = "gezinsregie.case.plan-evaluated.v1"

    plan_version: int
    members: list[str]
    organisations: list[str]
    conclusions: str
    next_evaluation: date | None

    def evolve(self, case: Case) -> None:
        assert case.plan is not None
        case.plan = replace(
            case.plan,
            evaluations=case.plan.evaluations + 1,
            next_evaluation=self.next_evaluation,
        )


class AgreementBroken(CaseEvent):
    """An agreement of the plan was not kept (001 S7)."""

    TOPIC = "gezinsregie.case.agreement-broken.v1"

    agreement_id: str
    notes: str

    def evolve(self, case: Case) -> None:
        broken = BrokenAgreement(self.agreement_id, self.occurred_at, self.notes)
        case.broken_agreements = (*case.broken_agreements, broken)


class SeparatePlanReported(CaseEvent):
    """An organisation works with a plan of its own beside the gezinsplan (001 A3);
    resolved when a plan version takes up that organisation's agreements."""

    TOPIC = "gezinsregie.case.separate-plan-reported.v1"

    organisation: str
    description: str

    def evolve(self, case: Case) -> None:
        case.separate_plans = case.separate_plans | {self.organisation}
