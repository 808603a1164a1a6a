"""Bodies of the case commands, one per command, with examples for /docs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

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
)
from interfaces.http.schemas.common import (
    CommandBody,
    Identifier,
    Identifiers,
    Name,
    ProfessionalRef,
    Reason,
    Strict,
    Text,
    new_id,
)

Minutes = Annotated[Decimal, Field(ge=0, le=1440, max_digits=8, decimal_places=2)]
Categories = Annotated[list[DataCategory], Field(min_length=1, max_length=8)]


class TriageIn(CommandBody):
    outcome: TriageOutcome = Field(examples=["complex"])
    coordination_level: int = Field(ge=0, le=5, strict=True, examples=[5])


class ConversationIn(CommandBody):
    conversation_id: Identifier = Field(default_factory=lambda: new_id("conversation"))
    kind: ConversationKind = Field(examples=["clarification"])
    minutes: Minutes = Field(examples=["22.5"])
    writing_minutes: Minutes = Field(examples=["10"])
    participants: Identifiers = Field(default_factory=list, examples=[["mother", "coach-anna"]])
    notes: Text = ""


class TimeIn(CommandBody):
    minutes: Minutes = Field(examples=["120"])
    writing_minutes: Minutes = Field(Decimal(0), examples=["30"])


class WaitlistPlaceIn(CommandBody):
    priority: int = Field(ge=1, le=5, strict=True, description="1 is the most urgent", examples=[2])


class WaitlistLeaveIn(CommandBody):
    exit: Literal["withdrawn", "no_longer_needed"] = Field(examples=["withdrawn"])


class CoachIn(CommandBody):
    coach: Identifier = Field(examples=["coach-anna"])
    organisation: Identifier = Field(examples=["cjg-den-haag"])


class CoachChangeIn(CoachIn):
    reason: Reason = Field(examples=["verlof"])


class ReasonIn(CommandBody):
    reason: Reason = Field(examples=["doelen bereikt"])


class RoundTableIn(CommandBody):
    members: Identifiers = Field(examples=[["mother", "father"]])
    organisations: Identifiers = Field(examples=[["school-de-linde", "jgz"]])
    decisions: Text = Field(examples=["Een gezinsplan; Anna is regisseur"])


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


class PlanIn(CommandBody):
    goals: list[GoalIn] = Field(max_length=100)
    agreements: list[AgreementIn] = Field(max_length=100)
    next_evaluation: date | None = Field(None, examples=["2026-04-01"])


class EvaluationIn(CommandBody):
    members: Identifiers = Field(examples=[["mother"]])
    organisations: Identifiers = Field(examples=[["school-de-linde"]])
    conclusions: Text = ""
    next_evaluation: date | None = None


class BrokenAgreementIn(CommandBody):
    agreement_id: Identifier = Field(examples=["a1"])
    notes: Text = ""


class ReferralIn(CommandBody):
    referral_id: Identifier = Field(default_factory=lambda: new_id("referral"))
    member_id: Identifier = Field(examples=["child"])
    destination: ReferralDestination = Field(examples=["specialised_ggz"])
    organisation: Identifier = Field(examples=["ggz-haaglanden"])


class ExtensionIn(CommandBody):
    until: date = Field(examples=["2026-12-31"])
    reason: Reason = Field(examples=["evaluatie: nog 3 maanden nodig"])


class ConsentIn(CommandBody):
    consent_id: Identifier = Field(default_factory=lambda: new_id("consent"))
    given_by: Identifiers = Field(min_length=1, examples=[["mother", "father"]])
    about: Identifiers = Field(min_length=1, examples=[["child"]])
    organisation: Identifier = Field(examples=["ggz-haaglanden"])
    categories: Categories = Field(examples=[["help_question", "referrals"]])
    purpose: ConsentPurpose = Field(examples=["referral"])
    form: ConsentForm = Field(examples=["written"])
    both_parents_required: bool = Field(False, strict=True)


class WithdrawalIn(CommandBody):
    withdrawn_by: Identifiers = Field(min_length=1, examples=[["mother"]])


class RefusalIn(CommandBody):
    refusal_id: Identifier = Field(default_factory=lambda: new_id("refusal"))
    given_by: Identifiers = Field(min_length=1, examples=[["mother"]])
    recipient: Name = Field(examples=["father"])
    categories: Categories = Field(examples=[["contact_address"]])


class DisclosureIn(CommandBody):
    organisation: Identifier = Field(examples=["veilig-thuis"])
    members: Identifiers = Field(min_length=1, examples=[["child"]])
    categories: Categories = Field(examples=[["safety"]])
    legal_ground: LegalGround = Field(examples=["meldrecht_wmo_2015_art_5.2.6"])
    justification: Reason = Field(examples=["Zorgen over de veiligheid van het kind"])


class NonDisclosureIn(CommandBody):
    organisation: Identifier = Field(examples=["school-de-linde"])
    members: Identifiers = Field(min_length=1, examples=[["child"]])
    categories: Categories = Field(examples=[["health"]])
    considerations: Reason = Field(examples=["Niet nodig voor de begeleiding op school"])


class SafetyIn(CommandBody):
    method: SafetyMethod = Field(examples=["signs_of_safety"])
    verdict: SafetyVerdict = Field(examples=["concerns"])
    notes: Text = ""


class EscalationIn(CommandBody):
    target: EscalationTarget = Field(examples=["steering_group"])
    reason: Reason = Field(examples=["Afspraken worden niet nagekomen"])


class CloseIn(CommandBody):
    reason: ClosureReason = Field(examples=["goals_reached"])
    relapse_risk: RelapseRisk = Field(examples=["low"])
    aftercare_by: ProfessionalRef = Field("", examples=["jgz"])
    informed_organisations: Identifiers = Field(default_factory=list, examples=[["school"]])


class ReopenIn(CommandBody):
    help_question_id: Identifier = Field(examples=["hq-1"])


class RegisseurKnownIn(CommandBody):
    organisations: Identifiers = Field(min_length=1, examples=[["school-de-linde", "ggz"]])


class SeparatePlanIn(CommandBody):
    organisation: Identifier = Field(examples=["ggz-haaglanden"])
    description: Text = Field("", examples=["Eigen behandelplan naast het gezinsplan"])
