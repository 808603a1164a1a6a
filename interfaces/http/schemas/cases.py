"""Bodies for opening a case and the case as a viewer may see it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from domain.vocabulary import Channel, MemberRole, ProblemCategory, Urgency
from interfaces.http.schemas.common import (
    CommandBody,
    Identifier,
    Identifiers,
    Name,
    Strict,
    Text,
    new_id,
)


class MemberIn(Strict):
    member_id: Identifier = Field(examples=["mother"])
    role: MemberRole = Field(examples=["parent"])
    name: Name = Field(examples=["Fatima de Vries"])
    birth_date: date = Field(examples=["1988-05-02"])
    parental_authority: bool = Field(False, strict=True)
    address: str = Field("", max_length=500)
    address_secret: bool = Field(False, strict=True)


class OpenCaseIn(CommandBody):
    """A melding: who reported it, the family, and the first description of the question."""

    municipality: Identifier = Field(examples=["den-haag"])
    team: Identifier = Field(examples=["centrum"])
    channel: Channel = Field(examples=["professional"])
    reporter_organisation: Identifier = Field(examples=["school-de-linde"])
    reporter_professional: str = Field("", max_length=64, examples=["teacher-7"])
    members: list[MemberIn] = Field(min_length=2, max_length=20)
    help_question_id: Identifier = Field(default_factory=lambda: new_id("hq"))
    help_question: Text = Field(examples=["Ouders vragen hulp bij opvoeding"])
    problems_parents: list[ProblemCategory] = Field(default_factory=list, max_length=9)
    problems_children: list[ProblemCategory] = Field(default_factory=list, max_length=9)
    urgency: Urgency = Urgency.NORMAL
    previous_case_id: UUID | None = None
    link_consented_by: Identifiers = Field(default_factory=list)


class CaseCreatedOut(BaseModel):
    case_id: UUID
    position: int


class MemberOut(BaseModel):
    member_id: str
    role: str
    name: str | None = None
    birth_date: date | None = None
    parental_authority: bool
    address: str | None = None


class ReferralOut(BaseModel):
    referral_id: str
    member_id: str
    destination: str
    organisation: str
    status: str
    requested_at: datetime
    started_at: datetime | None
    reason: str
    extended_until: date | None


class ConsentOut(BaseModel):
    consent_id: str
    given_by: list[str]
    about: list[str]
    organisation: str
    categories: list[str]
    purpose: str
    form: str
    granted_at: datetime
    withdrawn_at: datetime | None


class PlanOut(BaseModel):
    version: int
    goals: list[dict[str, str]]
    agreements: list[dict[str, str | None]]
    next_evaluation: date | None
    adopted_at: datetime
    evaluations: int


class WithheldOut(BaseModel):
    category: str
    reason: str


class CaseOut(BaseModel):
    """The case as this viewer may see it; withheld categories are absent and listed."""

    case_id: UUID
    version: int
    municipality: str
    team: str
    status: str = Field(examples=["open", "waiting", "closed"])
    opened_at: datetime
    last_activity_at: datetime
    channel: str
    urgency: str
    triage_outcome: str | None
    coordination_level: int | None
    coach: str | None
    coach_changes: int
    members: list[MemberOut] = Field(default_factory=list)
    help_question_id: str
    help_question: str | None = None
    help_question_open: bool
    problems_parents: list[str]
    problems_children: list[str]
    conversations: int
    minutes_total: Decimal
    waitlist_priority: int | None
    waiting_since: datetime | None
    plan: PlanOut | None = None
    referrals: list[ReferralOut] = Field(default_factory=list)
    consents: list[ConsentOut] = Field(default_factory=list)
    closed_at: datetime | None
    closure_reason: str | None
    previous_case_id: UUID | None
    withheld: list[WithheldOut] = Field(default_factory=list)
