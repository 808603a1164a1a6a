"""Bodies of the case commands, one per command, with examples for /docs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from domain.authorization import User
from domain.commands import (
    AcceptReferral,
    AdoptPlan,
    AnswerHelpQuestion,
    AssessSafety,
    AssignCoach,
    ChangeCoach,
    CloseCase,
    ContactWaitingFamily,
    DecideSharing,
    EndCare,
    EndCoaching,
    Escalate,
    EvaluatePlan,
    ExtendReferral,
    GrantConsent,
    HoldConversation,
    HoldRoundTable,
    LeaveWaitlist,
    MakeRegisseurKnown,
    PlaceOnWaitlist,
    RecordBrokenAgreement,
    RecordRefusal,
    ReferralStep,
    RegisterTime,
    RejectReferral,
    ReopenCase,
    ReportSeparatePlan,
    RequestReferral,
    RevisePlan,
    StartCare,
    Triage,
    WithdrawConsent,
)
from domain.plan import Agreement, Goal
from domain.vocabulary import (
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    EscalationTarget,
    LegalGround,
    ReferralDestination,
    RelapseRisk,
    SafetyMethod,
    SafetyVerdict,
    TriageOutcome,
    WaitlistExit,
)
from interfaces.http.schemas.common import (
    CaseCommandBody,
    CommandBody,
    Identifier,
    Identifiers,
    Name,
    PositionOut,
    ProfessionalRef,
    Reason,
    Strict,
    Text,
    new_id,
)


class ConversationRecordedOut(PositionOut):
    conversation_id: str = Field(examples=["conversation-3f2a9c1b7d4e"])


class ReferralRequestedOut(PositionOut):
    referral_id: str = Field(examples=["referral-3f2a9c1b7d4e"])


class ConsentRecordedOut(PositionOut):
    consent_id: str = Field(examples=["consent-3f2a9c1b7d4e"])


class RefusalRecordedOut(PositionOut):
    refusal_id: str = Field(examples=["refusal-3f2a9c1b7d4e"])


Minutes = Annotated[Decimal, Field(ge=0, le=1440, max_digits=8, decimal_places=2)]
Categories = Annotated[list[DataCategory], Field(min_length=1, max_length=8)]


class TriageIn(CaseCommandBody):
    outcome: TriageOutcome = Field(examples=["complex"])
    coordination_level: int = Field(ge=0, le=5, strict=True, examples=[5])

    def to_command(self, user: User) -> Triage:
        return Triage(outcome=self.outcome, coordination_level=self.coordination_level)


class ConversationIn(CaseCommandBody):
    answer: ClassVar[type[PositionOut]] = ConversationRecordedOut
    conversation_id: Identifier = Field(default_factory=lambda: new_id("conversation"))
    kind: ConversationKind = Field(examples=["clarification"])
    minutes: Minutes = Field(examples=["22.5"])
    writing_minutes: Minutes = Field(examples=["10"])
    participants: Identifiers = Field(default_factory=list, examples=[["mother", "coach-anna"]])
    notes: Text = ""

    def to_command(self, user: User) -> HoldConversation:
        return HoldConversation(
            conversation_id=self.conversation_id,
            kind=self.kind,
            minutes=self.minutes,
            writing_minutes=self.writing_minutes,
            participants=self.participants,
            notes=self.notes,
        )


class TimeIn(CaseCommandBody):
    minutes: Minutes = Field(examples=["120"])
    writing_minutes: Minutes = Field(Decimal(0), examples=["30"])

    def to_command(self, user: User) -> RegisterTime:
        return RegisterTime(minutes=self.minutes, writing_minutes=self.writing_minutes)


class WaitlistPlaceIn(CaseCommandBody):
    priority: int = Field(ge=1, le=5, strict=True, description="1 is the most urgent", examples=[2])

    def to_command(self, user: User) -> PlaceOnWaitlist:
        return PlaceOnWaitlist(priority=self.priority)


class WaitlistLeaveIn(CaseCommandBody):
    exit: Literal["withdrawn", "no_longer_needed"] = Field(examples=["withdrawn"])

    def to_command(self, user: User) -> LeaveWaitlist:
        return LeaveWaitlist(exit=WaitlistExit(self.exit))


class CoachIn(CaseCommandBody):
    coach: Identifier = Field(examples=["coach-anna"])
    organisation: Identifier = Field(examples=["cjg-den-haag"])

    def to_command(self, user: User) -> AssignCoach:
        return AssignCoach(coach=self.coach, organisation=self.organisation)


class CoachChangeIn(CaseCommandBody):
    coach: Identifier = Field(examples=["coach-anna"])
    organisation: Identifier = Field(examples=["cjg-den-haag"])
    reason: Reason = Field(examples=["verlof"])

    def to_command(self, user: User) -> ChangeCoach:
        return ChangeCoach(coach=self.coach, organisation=self.organisation, reason=self.reason)


class CoachingEndIn(CaseCommandBody):
    reason: Reason = Field(examples=["doelen bereikt"])

    def to_command(self, user: User) -> EndCoaching:
        return EndCoaching(reason=self.reason)


class HelpQuestionAnsweredIn(CaseCommandBody):
    def to_command(self, user: User) -> AnswerHelpQuestion:
        return AnswerHelpQuestion()


class WaitlistContactIn(CaseCommandBody):
    def to_command(self, user: User) -> ContactWaitingFamily:
        return ContactWaitingFamily()


class RoundTableIn(CaseCommandBody):
    members: Identifiers = Field(examples=[["mother", "father"]])
    organisations: Identifiers = Field(examples=[["school-de-linde", "jgz"]])
    decisions: Text = Field(examples=["Een gezinsplan; Anna is regisseur"])

    def to_command(self, user: User) -> HoldRoundTable:
        return HoldRoundTable(
            members=self.members, organisations=self.organisations, decisions=self.decisions
        )


class GoalIn(Strict):
    goal_id: Identifier = Field(examples=["g1"])
    member_id: Identifier = Field(examples=["child"])
    life_domain: Name = Field(examples=["school"])
    description: Text = Field(examples=["Gaat weer elke dag naar school"])


class AgreementIn(Strict):
    agreement_id: Identifier = Field(examples=["a1"])
    organisation: Identifier = Field(examples=["school-de-linde"])
    task: Text = Field(examples=["Dagelijks contact met moeder"])
    due: date | None = Field(None, examples=["2026-03-01"])
    professional: ProfessionalRef = ""


class PlanBody(CaseCommandBody, ABC):
    goals: list[GoalIn] = Field(max_length=100)
    agreements: list[AgreementIn] = Field(max_length=100)
    next_evaluation: date | None = Field(None, examples=["2026-04-01"])

    def plan(self) -> tuple[list[Goal], list[Agreement]]:
        goals = [Goal(**goal.model_dump()) for goal in self.goals]
        return goals, [Agreement(**agreement.model_dump()) for agreement in self.agreements]


class PlanIn(PlanBody):
    def to_command(self, user: User) -> AdoptPlan:
        goals, agreements = self.plan()
        return AdoptPlan(goals=goals, agreements=agreements, next_evaluation=self.next_evaluation)


class PlanRevisionIn(PlanBody):
    def to_command(self, user: User) -> RevisePlan:
        goals, agreements = self.plan()
        return RevisePlan(goals=goals, agreements=agreements, next_evaluation=self.next_evaluation)


class EvaluationIn(CaseCommandBody):
    members: Identifiers = Field(examples=[["mother"]])
    organisations: Identifiers = Field(examples=[["school-de-linde"]])
    conclusions: Text = ""
    next_evaluation: date | None = None

    def to_command(self, user: User) -> EvaluatePlan:
        return EvaluatePlan(
            members=self.members,
            organisations=self.organisations,
            conclusions=self.conclusions,
            next_evaluation=self.next_evaluation,
        )


class BrokenAgreementIn(CaseCommandBody):
    agreement_id: Identifier = Field(examples=["a1"])
    notes: Text = ""

    def to_command(self, user: User) -> RecordBrokenAgreement:
        return RecordBrokenAgreement(agreement_id=self.agreement_id, notes=self.notes)


class ReferralIn(CaseCommandBody):
    answer: ClassVar[type[PositionOut]] = ReferralRequestedOut
    referral_id: Identifier = Field(default_factory=lambda: new_id("referral"))
    member_id: Identifier = Field(examples=["child"])
    destination: ReferralDestination = Field(examples=["specialised_ggz"])
    organisation: Identifier = Field(examples=["ggz-haaglanden"])

    def to_command(self, user: User) -> RequestReferral:
        return RequestReferral(
            referral_id=self.referral_id,
            member_id=self.member_id,
            destination=self.destination,
            organisation=self.organisation,
        )


class ReferralStepBody(CommandBody, ABC):
    """A step of a referral: the referral is named in the path."""

    @abstractmethod
    def to_command(self, referral_id: str) -> ReferralStep:
        """The step on referral `referral_id`."""


class AcceptanceIn(ReferralStepBody):
    def to_command(self, referral_id: str) -> AcceptReferral:
        return AcceptReferral(referral_id=referral_id)


class CareStartIn(ReferralStepBody):
    def to_command(self, referral_id: str) -> StartCare:
        return StartCare(referral_id=referral_id)


class RejectionIn(ReferralStepBody):
    reason: Reason = Field(examples=["geen passend aanbod"])

    def to_command(self, referral_id: str) -> RejectReferral:
        return RejectReferral(referral_id=referral_id, reason=self.reason)


class CareEndIn(ReferralStepBody):
    reason: Reason = Field(examples=["doelen bereikt"])

    def to_command(self, referral_id: str) -> EndCare:
        return EndCare(referral_id=referral_id, reason=self.reason)


class ExtensionIn(ReferralStepBody):
    until: date = Field(examples=["2026-12-31"])
    reason: Reason = Field(examples=["evaluatie: nog 3 maanden nodig"])

    def to_command(self, referral_id: str) -> ExtendReferral:
        return ExtendReferral(referral_id=referral_id, until=self.until, reason=self.reason)


class ConsentIn(CaseCommandBody):
    answer: ClassVar[type[PositionOut]] = ConsentRecordedOut
    consent_id: Identifier = Field(default_factory=lambda: new_id("consent"))
    given_by: Identifiers = Field(min_length=1, examples=[["mother", "father"]])
    about: Identifiers = Field(min_length=1, examples=[["child"]])
    organisation: Identifier = Field(examples=["ggz-haaglanden"])
    categories: Categories = Field(examples=[["help_question", "referrals"]])
    purpose: ConsentPurpose = Field(examples=["referral"])
    form: ConsentForm = Field(examples=["written"])
    both_parents_required: bool = Field(False, strict=True)

    def to_command(self, user: User) -> GrantConsent:
        return GrantConsent(
            consent_id=self.consent_id,
            given_by=self.given_by,
            about=self.about,
            organisation=self.organisation,
            categories=self.categories,
            purpose=self.purpose,
            form=self.form,
            both_parents_required=self.both_parents_required,
        )


class WithdrawalIn(CommandBody):
    withdrawn_by: Identifiers = Field(min_length=1, examples=[["mother"]])

    def to_command(self, consent_id: str) -> WithdrawConsent:
        return WithdrawConsent(consent_id=consent_id, withdrawn_by=self.withdrawn_by)


class RefusalIn(CaseCommandBody):
    answer: ClassVar[type[PositionOut]] = RefusalRecordedOut
    refusal_id: Identifier = Field(default_factory=lambda: new_id("refusal"))
    given_by: Identifiers = Field(min_length=1, examples=[["mother"]])
    recipient: Name = Field(examples=["father"])
    categories: Categories = Field(examples=[["contact_address"]])

    def to_command(self, user: User) -> RecordRefusal:
        return RecordRefusal(
            refusal_id=self.refusal_id,
            given_by=self.given_by,
            recipient=self.recipient,
            categories=self.categories,
        )


class DisclosureIn(CaseCommandBody):
    organisation: Identifier = Field(examples=["veilig-thuis"])
    members: Identifiers = Field(min_length=1, examples=[["child"]])
    categories: Categories = Field(examples=[["safety"]])
    legal_ground: LegalGround = Field(examples=["meldrecht_wmo_2015_art_5.2.6"])
    justification: Reason = Field(examples=["Zorgen over de veiligheid van het kind"])

    def to_command(self, user: User) -> DecideSharing:
        return DecideSharing(
            shared=True,
            organisation=self.organisation,
            members=self.members,
            categories=self.categories,
            legal_ground=self.legal_ground,
            justification=self.justification,
        )


class NonDisclosureIn(CaseCommandBody):
    organisation: Identifier = Field(examples=["school-de-linde"])
    members: Identifiers = Field(min_length=1, examples=[["child"]])
    categories: Categories = Field(examples=[["health"]])
    considerations: Reason = Field(examples=["Niet nodig voor de begeleiding op school"])
    body_fields: ClassVar[Mapping[str, str]] = {"justification": "considerations"}

    def to_command(self, user: User) -> DecideSharing:
        return DecideSharing(
            shared=False,
            organisation=self.organisation,
            members=self.members,
            categories=self.categories,
            legal_ground=None,
            justification=self.considerations,
        )


class SafetyIn(CaseCommandBody):
    method: SafetyMethod = Field(examples=["signs_of_safety"])
    verdict: SafetyVerdict = Field(examples=["concerns"])
    notes: Text = ""

    def to_command(self, user: User) -> AssessSafety:
        return AssessSafety(method=self.method, verdict=self.verdict, notes=self.notes)


class EscalationIn(CaseCommandBody):
    target: EscalationTarget = Field(examples=["steering_group"])
    reason: Reason = Field(examples=["Afspraken worden niet nagekomen"])

    def to_command(self, user: User) -> Escalate:
        return Escalate(target=self.target, reason=self.reason)


class CloseIn(CaseCommandBody):
    reason: ClosureReason = Field(examples=["goals_reached"])
    relapse_risk: RelapseRisk = Field(examples=["low"])
    aftercare_by: ProfessionalRef = Field("", examples=["jgz"])
    informed_organisations: Identifiers = Field(default_factory=list, examples=[["school"]])

    def to_command(self, user: User) -> CloseCase:
        return CloseCase(
            reason=self.reason,
            relapse_risk=self.relapse_risk,
            aftercare_by=self.aftercare_by,
            informed_organisations=self.informed_organisations,
        )


class ReopenIn(CaseCommandBody):
    help_question_id: Identifier = Field(examples=["hq-1"])

    def to_command(self, user: User) -> ReopenCase:
        return ReopenCase(coach=user.subject, help_question_id=self.help_question_id)


class RegisseurKnownIn(CaseCommandBody):
    organisations: Identifiers = Field(min_length=1, examples=[["school-de-linde", "ggz"]])

    def to_command(self, user: User) -> MakeRegisseurKnown:
        return MakeRegisseurKnown(organisations=self.organisations)


class SeparatePlanIn(CaseCommandBody):
    organisation: Identifier = Field(examples=["ggz-haaglanden"])
    description: Text = Field("", examples=["Eigen behandelplan naast het gezinsplan"])

    def to_command(self, user: User) -> ReportSeparatePlan:
        return ReportSeparatePlan(organisation=self.organisation, description=self.description)
