"""The case commands as objects: one frozen dataclass per command, carrying what the
command needs and calling the case's method for it. Every interface (HTTP, pages, CLI,
jobs) builds one of these and hands it to the application, so the type checker follows a
request's fields all the way to the rule that decides on them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from domain.case import Case
from domain.errors import (
    CaseClosedError,
    CaseErasedError,
    CaseNotClosedError,
    CoachError,
    ConsentGiverError,
    ConsentNotInForceError,
    ConsentRequiredError,
    DisclosureError,
    DomainError,
    DuplicateIdError,
    ErasureOrderError,
    ErasureRequestError,
    HelpQuestionError,
    LegalHoldError,
    NotDueForClosureError,
    OccurredAtError,
    PlanError,
    ReferralTransitionError,
    ReopenNotAllowedError,
    RetentionError,
    WaitlistError,
)
from domain.periods import CasePeriods
from domain.plan import Agreement, Goal
from domain.provenance import Provenance
from domain.vocabulary import (
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    ErasureRefusalGround,
    ErasureScope,
    EscalationTarget,
    LegalGround,
    ReferralDestination,
    RelapseRisk,
    SafetyMethod,
    SafetyVerdict,
    TriageOutcome,
    WaitlistExit,
)

COMMON_RULES: tuple[type[DomainError], ...] = (OccurredAtError, CaseErasedError)
"""Rules that may refuse every command: when it happened, and an erased dossier."""


class CaseCommand(ABC):
    """A command on one case. `commutative` commands only add a fact: on a concurrent
    change they are decided again on the fresh case instead of refused."""

    commutative: ClassVar[bool] = False
    rules: ClassVar[tuple[type[DomainError], ...]] = ()
    """The rules of the case, besides `COMMON_RULES`, that may refuse this command (409);
    kept true by tests/domain/test_command_rules_declared.py."""

    @abstractmethod
    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        """Decide on `case` (its municipality's `periods` where the rule needs them)."""

    def made_ids(self) -> dict[str, str]:
        """The ids of what the command makes (a referral, a consent...), for its answer."""
        return {}


# Intake, waitlist and the regisseur


@dataclass(frozen=True, kw_only=True)
class Triage(CaseCommand):
    rules = (CaseClosedError,)
    outcome: TriageOutcome
    coordination_level: int

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.triage(by, outcome=self.outcome, coordination_level=self.coordination_level)


@dataclass(frozen=True, kw_only=True)
class HoldConversation(CaseCommand):
    commutative = True
    rules = (CaseClosedError, DuplicateIdError)
    conversation_id: str
    kind: ConversationKind
    minutes: Decimal
    writing_minutes: Decimal
    participants: Sequence[str] = ()
    notes: str = ""

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.hold_conversation(
            by,
            conversation_id=self.conversation_id,
            kind=self.kind,
            minutes=self.minutes,
            writing_minutes=self.writing_minutes,
            participants=self.participants,
            notes=self.notes,
        )

    def made_ids(self) -> dict[str, str]:
        return {"conversation_id": self.conversation_id}


@dataclass(frozen=True, kw_only=True)
class RegisterTime(CaseCommand):
    commutative = True
    rules = (CaseClosedError,)
    minutes: Decimal
    writing_minutes: Decimal = Decimal(0)

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.register_time(by, minutes=self.minutes, writing_minutes=self.writing_minutes)


@dataclass(frozen=True, kw_only=True)
class AnswerHelpQuestion(CaseCommand):
    rules = (CaseClosedError, HelpQuestionError)

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.answer_help_question(by)


@dataclass(frozen=True, kw_only=True)
class PlaceOnWaitlist(CaseCommand):
    rules = (CaseClosedError, ConsentRequiredError, WaitlistError)
    priority: int

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.place_on_waitlist(by, priority=self.priority)


@dataclass(frozen=True, kw_only=True)
class ContactWaitingFamily(CaseCommand):
    commutative = True
    rules = (CaseClosedError, WaitlistError)

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.contact_waiting_family(by)


@dataclass(frozen=True, kw_only=True)
class LeaveWaitlist(CaseCommand):
    rules = (CaseClosedError, WaitlistError)
    exit: WaitlistExit

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.leave_waitlist(by, exit=self.exit)


@dataclass(frozen=True, kw_only=True)
class AssignCoach(CaseCommand):
    rules = (CaseClosedError, CoachError)
    coach: str
    organisation: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.assign_coach(by, coach=self.coach, organisation=self.organisation)


@dataclass(frozen=True, kw_only=True)
class ChangeCoach(CaseCommand):
    rules = (CaseClosedError, CoachError)
    coach: str
    organisation: str
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.change_coach(by, coach=self.coach, organisation=self.organisation, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class EndCoaching(CaseCommand):
    rules = (CaseClosedError, CoachError)
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.end_coaching(by, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class MakeRegisseurKnown(CaseCommand):
    commutative = True
    rules = (CaseClosedError, CoachError)
    organisations: Sequence[str]

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.make_regisseur_known(by, organisations=self.organisations)


# Working together: round tables, the plan, referrals, safety


@dataclass(frozen=True, kw_only=True)
class HoldRoundTable(CaseCommand):
    commutative = True
    rules = (CaseClosedError,)
    members: Sequence[str]
    organisations: Sequence[str]
    decisions: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.hold_round_table(
            by, members=self.members, organisations=self.organisations, decisions=self.decisions
        )


@dataclass(frozen=True, kw_only=True)
class AdoptPlan(CaseCommand):
    rules = (CaseClosedError, PlanError)
    goals: Sequence[Goal]
    agreements: Sequence[Agreement]
    next_evaluation: date | None = None

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.adopt_plan(
            by, goals=self.goals, agreements=self.agreements, next_evaluation=self.next_evaluation
        )


@dataclass(frozen=True, kw_only=True)
class RevisePlan(CaseCommand):
    rules = (CaseClosedError, PlanError)
    goals: Sequence[Goal]
    agreements: Sequence[Agreement]
    next_evaluation: date | None = None

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.revise_plan(
            by, goals=self.goals, agreements=self.agreements, next_evaluation=self.next_evaluation
        )


@dataclass(frozen=True, kw_only=True)
class EvaluatePlan(CaseCommand):
    rules = (CaseClosedError, PlanError)
    members: Sequence[str]
    organisations: Sequence[str]
    conclusions: str = ""
    next_evaluation: date | None = None

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.evaluate_plan(
            by,
            members=self.members,
            organisations=self.organisations,
            conclusions=self.conclusions,
            next_evaluation=self.next_evaluation,
        )


@dataclass(frozen=True, kw_only=True)
class RecordBrokenAgreement(CaseCommand):
    commutative = True
    rules = (CaseClosedError, PlanError)
    agreement_id: str
    notes: str = ""

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.record_broken_agreement(by, agreement_id=self.agreement_id, notes=self.notes)


@dataclass(frozen=True, kw_only=True)
class ReportSeparatePlan(CaseCommand):
    commutative = True
    rules = (CaseClosedError,)
    organisation: str
    description: str = ""

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.report_separate_plan(by, organisation=self.organisation, description=self.description)


@dataclass(frozen=True, kw_only=True)
class RequestReferral(CaseCommand):
    rules = (CaseClosedError, DuplicateIdError)
    referral_id: str
    member_id: str
    destination: ReferralDestination
    organisation: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.request_referral(
            by,
            referral_id=self.referral_id,
            member_id=self.member_id,
            destination=self.destination,
            organisation=self.organisation,
        )

    def made_ids(self) -> dict[str, str]:
        return {"referral_id": self.referral_id}


@dataclass(frozen=True, kw_only=True)
class ReferralStep(CaseCommand, ABC):
    """A step of one referral, taken by its destination (or the coach)."""

    referral_id: str


@dataclass(frozen=True, kw_only=True)
class AcceptReferral(ReferralStep):
    rules = (CaseClosedError, ReferralTransitionError)

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.accept_referral(by, referral_id=self.referral_id)


@dataclass(frozen=True, kw_only=True)
class RejectReferral(ReferralStep):
    rules = (CaseClosedError, ReferralTransitionError)
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.reject_referral(by, referral_id=self.referral_id, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class StartCare(ReferralStep):
    rules = (CaseClosedError, ReferralTransitionError)

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.start_care(by, referral_id=self.referral_id)


@dataclass(frozen=True, kw_only=True)
class EndCare(ReferralStep):
    rules = (CaseClosedError, ReferralTransitionError)
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.end_care(by, referral_id=self.referral_id, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class ExtendReferral(ReferralStep):
    rules = (CaseClosedError, ReferralTransitionError)
    until: date
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.extend_referral(by, referral_id=self.referral_id, until=self.until, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class AssessSafety(CaseCommand):
    commutative = True
    rules = (CaseClosedError,)
    method: SafetyMethod
    verdict: SafetyVerdict
    notes: str = ""

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.assess_safety(by, method=self.method, verdict=self.verdict, notes=self.notes)


@dataclass(frozen=True, kw_only=True)
class Escalate(CaseCommand):
    commutative = True
    rules = (CaseClosedError,)
    target: EscalationTarget
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.escalate(by, target=self.target, reason=self.reason)


# Privacy: consent, refusals, sharing decisions


@dataclass(frozen=True, kw_only=True)
class GrantConsent(CaseCommand):
    commutative = True
    rules = (CaseClosedError, ConsentGiverError, DuplicateIdError)
    consent_id: str
    given_by: Sequence[str]
    about: Sequence[str]
    organisation: str
    categories: Sequence[DataCategory]
    purpose: ConsentPurpose
    form: ConsentForm
    both_parents_required: bool = False

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.grant_consent(
            by,
            consent_id=self.consent_id,
            given_by=self.given_by,
            about=self.about,
            organisation=self.organisation,
            categories=self.categories,
            purpose=self.purpose,
            form=self.form,
            both_parents_required=self.both_parents_required,
        )

    def made_ids(self) -> dict[str, str]:
        return {"consent_id": self.consent_id}


@dataclass(frozen=True, kw_only=True)
class WithdrawConsent(CaseCommand):
    rules = (CaseClosedError, ConsentNotInForceError)
    consent_id: str
    withdrawn_by: Sequence[str]

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.withdraw_consent(by, consent_id=self.consent_id, withdrawn_by=self.withdrawn_by)


@dataclass(frozen=True, kw_only=True)
class RecordRefusal(CaseCommand):
    commutative = True
    rules = (CaseClosedError, DuplicateIdError)
    refusal_id: str
    given_by: Sequence[str]
    recipient: str
    categories: Sequence[DataCategory]

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.record_refusal(
            by,
            refusal_id=self.refusal_id,
            given_by=self.given_by,
            recipient=self.recipient,
            categories=self.categories,
        )

    def made_ids(self) -> dict[str, str]:
        return {"refusal_id": self.refusal_id}


@dataclass(frozen=True, kw_only=True)
class DecideSharing(CaseCommand):
    """Share without consent (with a legal ground), or decide not to share."""

    commutative = True
    rules = (CaseClosedError, DisclosureError)
    shared: bool
    organisation: str
    members: Sequence[str]
    categories: Sequence[DataCategory]
    legal_ground: LegalGround | None
    justification: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.decide_sharing(
            by,
            shared=self.shared,
            organisation=self.organisation,
            members=self.members,
            categories=self.categories,
            legal_ground=self.legal_ground,
            justification=self.justification,
        )


# Closing and reopening


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    rules = (CaseClosedError, NotDueForClosureError)
    reason: ClosureReason
    relapse_risk: RelapseRisk
    aftercare_by: str = ""
    informed_organisations: Sequence[str] = ()

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.close(
            by,
            reason=self.reason,
            relapse_risk=self.relapse_risk,
            aftercare_by=self.aftercare_by,
            informed_organisations=self.informed_organisations,
            periods=periods,
        )


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    rules = (CaseNotClosedError, ReopenNotAllowedError)
    coach: str
    help_question_id: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.reopen(by, coach=self.coach, help_question_id=self.help_question_id, periods=periods)


# Erasure and legal hold


@dataclass(frozen=True, kw_only=True)
class RequestErasure(CaseCommand):
    rules = (DuplicateIdError, ErasureOrderError, ErasureRequestError)
    request_id: str
    requested_by: str
    scope: ErasureScope
    member_id: str | None = None

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.request_erasure(
            by,
            request_id=self.request_id,
            requested_by=self.requested_by,
            scope=self.scope,
            member_id=self.member_id,
        )

    def made_ids(self) -> dict[str, str]:
        return {"request_id": self.request_id}


@dataclass(frozen=True, kw_only=True)
class AssessErasure(CaseCommand):
    rules = (ErasureOrderError,)
    request_id: str
    refusal_ground: ErasureRefusalGround | None = None
    justification: str = ""

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.assess_erasure(
            by,
            request_id=self.request_id,
            refusal_ground=self.refusal_ground,
            justification=self.justification,
        )


@dataclass(frozen=True, kw_only=True)
class ExecuteErasure(CaseCommand):
    rules = (ErasureOrderError, LegalHoldError)
    request_id: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.execute_erasure(by, request_id=self.request_id)


@dataclass(frozen=True, kw_only=True)
class DestroyAfterRetention(CaseCommand):
    rules = (LegalHoldError, RetentionError)

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.destroy_after_retention(by, periods=periods)


@dataclass(frozen=True, kw_only=True)
class PlaceLegalHold(CaseCommand):
    rules = (LegalHoldError,)
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.place_legal_hold(by, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class LiftLegalHold(CaseCommand):
    rules = (LegalHoldError,)
    reason: str

    def apply_to(self, case: Case, by: Provenance, periods: CasePeriods) -> None:
        case.lift_legal_hold(by, reason=self.reason)
