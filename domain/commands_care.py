"""Commands of working together: round tables, the plan, referrals, safety, escalation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from domain.case_event import CaseEvent
from domain.case_state import CaseState
from domain.errors import DuplicateIdError, InvalidInputError, NotInCaseError, PlanError
from domain.events_lifecycle import Escalated, SafetyAssessed
from domain.events_plan import (
    AgreementBroken,
    PlanAdopted,
    PlanEvaluated,
    PlanRevised,
    RoundTableHeld,
    SeparatePlanReported,
)
from domain.events_referral import (
    ReferralAccepted,
    ReferralCareEnded,
    ReferralCareStarted,
    ReferralExtended,
    ReferralMoved,
    ReferralRejected,
    ReferralRequested,
)
from domain.plan import Agreement, Goal
from domain.provenance import Provenance
from domain.referral import Referral
from domain.vocabulary import EscalationTarget, ReferralDestination, SafetyMethod, SafetyVerdict


class CareCommands(CaseState):
    def hold_round_table(
        self,
        by: Provenance,
        *,
        members: Sequence[str],
        organisations: Sequence[str],
        decisions: str,
    ) -> None:
        """Rondetafelgesprek: the family and the professionals make one plan (002)."""
        self.check_may_record(by)
        self.check_members(members, "members")
        self.record(
            RoundTableHeld,
            by,
            members=list(members),
            organisations=list(organisations),
            decisions=decisions,
        )

    def adopt_plan(
        self,
        by: Provenance,
        *,
        goals: Sequence[Goal],
        agreements: Sequence[Agreement],
        next_evaluation: date | None,
    ) -> None:
        """One family, one plan: adopted once, then revised (001 A3)."""
        self.check_may_record(by)
        if self.plan is not None:
            raise PlanError("the family already has a gezinsplan: revise it")
        self._record_plan(PlanAdopted, by, 1, goals, agreements, next_evaluation)

    def revise_plan(
        self,
        by: Provenance,
        *,
        goals: Sequence[Goal],
        agreements: Sequence[Agreement],
        next_evaluation: date | None,
    ) -> None:
        self.check_may_record(by)
        if self.plan is None:
            raise PlanError("there is no gezinsplan to revise: adopt one first")
        by.check_not_before(self.plan.adopted_at, "the current plan version")
        version = self.plan.version + 1
        self._record_plan(PlanRevised, by, version, goals, agreements, next_evaluation)

    def _record_plan(
        self,
        event_class: type[CaseEvent],
        by: Provenance,
        version: int,
        goals: Sequence[Goal],
        agreements: Sequence[Agreement],
        next_evaluation: date | None,
    ) -> None:
        self.check_members([g.member_id for g in goals], "goals")
        if next_evaluation is not None:
            by.check_planned(next_evaluation, "the next evaluation", "next_evaluation")
        for agreement in agreements:
            if agreement.due is not None:
                by.check_planned(
                    agreement.due, f"agreement {agreement.agreement_id}'s due date", "agreements"
                )
        self.record(
            event_class,
            by,
            version=version,
            goals=[asdict(g) for g in goals],
            agreements=[asdict(a) for a in agreements],
            next_evaluation=next_evaluation,
        )

    def evaluate_plan(
        self,
        by: Provenance,
        *,
        members: Sequence[str],
        organisations: Sequence[str],
        conclusions: str,
        next_evaluation: date | None,
    ) -> None:
        """An evaluation moment, with who took part (001 A5 asks family and professionals)."""
        self.check_may_record(by)
        if self.plan is None:
            raise PlanError("there is no gezinsplan to evaluate")
        by.check_not_before(self.plan.adopted_at, "the plan was adopted")
        self.check_members(members, "members")
        if next_evaluation is not None:
            by.check_planned(next_evaluation, "the next evaluation", "next_evaluation")
        self.record(
            PlanEvaluated,
            by,
            plan_version=self.plan.version,
            members=list(members),
            organisations=list(organisations),
            conclusions=conclusions,
            next_evaluation=next_evaluation,
        )

    def report_separate_plan(self, by: Provenance, *, organisation: str, description: str) -> None:
        """An organisation works with its own plan: more than one plan is in use."""
        self.check_may_record(by)
        if not organisation.strip():
            raise InvalidInputError("name the organisation with a plan of its own", "organisation")
        self.record(SeparatePlanReported, by, organisation=organisation, description=description)

    def record_broken_agreement(self, by: Provenance, *, agreement_id: str, notes: str) -> None:
        self.check_may_record(by)
        if self.plan is None or all(a.agreement_id != agreement_id for a in self.plan.agreements):
            raise PlanError(f"agreement {agreement_id} is not in the gezinsplan")
        self.record(AgreementBroken, by, agreement_id=agreement_id, notes=notes)

    def request_referral(
        self,
        by: Provenance,
        *,
        referral_id: str,
        member_id: str,
        destination: ReferralDestination,
        organisation: str,
    ) -> None:
        """A referral of one family member to a destination and organisation."""
        self.check_may_record(by)
        self.check_members([member_id], "member_id")
        if referral_id in self.referrals:
            raise DuplicateIdError(f"referral {referral_id} already exists")
        self.record(
            ReferralRequested,
            by,
            referral_id=referral_id,
            member_id=member_id,
            destination=ReferralDestination(destination).value,
            organisation=organisation,
        )

    def accept_referral(self, by: Provenance, *, referral_id: str) -> None:
        self._move_referral(ReferralAccepted, by, referral_id, "")

    def reject_referral(self, by: Provenance, *, referral_id: str, reason: str) -> None:
        if not reason.strip():
            raise InvalidInputError("a rejected referral needs a reason", "reason")
        self._move_referral(ReferralRejected, by, referral_id, reason)

    def start_care(self, by: Provenance, *, referral_id: str) -> None:
        self._move_referral(ReferralCareStarted, by, referral_id, "")

    def end_care(self, by: Provenance, *, referral_id: str, reason: str) -> None:
        if not reason.strip():
            raise InvalidInputError("ended care needs a reason", "reason")
        self._move_referral(ReferralCareEnded, by, referral_id, reason)

    def extend_referral(
        self, by: Provenance, *, referral_id: str, until: date, reason: str
    ) -> None:
        """Youth care extended on the basis of an evaluation (000)."""
        self.check_may_record(by)
        referral = self.referral(referral_id)
        referral.check_may_extend()
        by.check_not_before(referral.changed_at, "the referral's previous step")
        by.check_planned(until, "the extension's end", "until")
        self.record(ReferralExtended, by, referral_id=referral_id, until=until, reason=reason)

    def _move_referral(
        self, event_class: type[ReferralMoved], by: Provenance, referral_id: str, reason: str
    ) -> None:
        self.check_may_record(by)
        referral = self.referral(referral_id)
        referral.check_may_move_to(event_class.STATUS)
        by.check_not_before(referral.changed_at, "the referral's previous step")
        self.record(event_class, by, referral_id=referral_id, reason=reason)

    def referral(self, referral_id: str) -> Referral:
        try:
            return self.referrals[referral_id]
        except KeyError:
            raise NotInCaseError(f"there is no referral {referral_id} in this case") from None

    def assess_safety(
        self, by: Provenance, *, method: SafetyMethod, verdict: SafetyVerdict, notes: str = ""
    ) -> None:
        self.check_may_record(by)
        self.record(
            SafetyAssessed,
            by,
            method=SafetyMethod(method).value,
            verdict=SafetyVerdict(verdict).value,
            notes=notes,
        )

    def escalate(self, by: Provenance, *, target: EscalationTarget, reason: str) -> None:
        """Opschalen (001 S5, 003 §2.2)."""
        self.check_may_record(by)
        self.record(Escalated, by, target=EscalationTarget(target).value, reason=reason)
