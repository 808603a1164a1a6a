"""A case as a viewer may see it: the typed view the reading service returns (and the
HTTP API answers with). What a viewer may not see is absent, not null; `withheld` says
which categories were withheld and why."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from application.replay import ReplayMode


class MemberOut(BaseModel):
    """A member: id and role always; name, birth date and address only when visible."""

    member_id: str
    role: str
    parental_authority: bool
    name: str | None = None
    birth_date: date | Literal["[gewist]"] | None = Field(
        default=None, description='"[gewist]" once erased'
    )
    address: str | None = None


class ConversationOut(BaseModel):
    """When, what kind and how long always; who took part and the notes when visible."""

    conversation_id: str
    kind: str
    occurred_at: datetime
    minutes: Decimal
    writing_minutes: Decimal
    participants: list[str] | None = None
    notes: str | None = None


class RoundTableOut(BaseModel):
    """When always; who attended (members, organisations) and what was decided when
    visible."""

    occurred_at: datetime
    members: list[str] | None = None
    organisations: list[str] | None = None
    decisions: str | None = None


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


class GoalOut(BaseModel):
    goal_id: str
    member_id: str
    life_domain: str
    description: str


class AgreementOut(BaseModel):
    agreement_id: str
    organisation: str
    task: str
    due: date | None
    professional: str


class PlanOut(BaseModel):
    """The plan's version and dates always; goals per member and agreements when visible."""

    version: int
    adopted_at: datetime
    next_evaluation: date | None
    evaluations: int
    goals: list[GoalOut] | None = None
    agreements: list[AgreementOut] | None = None


class SafetyOut(BaseModel):
    method: str
    verdict: str
    occurred_at: datetime
    notes: str


class EscalationOut(BaseModel):
    target: str
    occurred_at: datetime
    reason: str | None = None


class SharingDecisionOut(BaseModel):
    shared: bool
    organisation: str
    members: list[str]
    categories: list[str]
    legal_ground: str | None
    justification: str
    occurred_at: datetime


class WithheldOut(BaseModel):
    category: str
    reason: str
    member_id: str | None = None


class CaseOut(BaseModel):
    """The case as this viewer may see it. Data this viewer may not see is absent (not
    null), and `withheld` says which categories were withheld and why."""

    case_id: UUID
    version: int
    municipality: str
    team: str
    status: str = Field(examples=["open", "waiting", "closed"])
    opened_at: datetime
    last_activity_at: datetime
    channel: str
    urgency: str
    triage_outcome: str | None = None
    coordination_level: int | None = None
    coach: str | None
    coach_changes: int
    help_question_id: str
    help_question_open: bool
    conversations: int
    minutes_total: Decimal
    waitlist_priority: int | None
    waiting_since: datetime | None
    closed_at: datetime | None
    closure_reason: str | None
    previous_case_id: UUID | None
    members: list[MemberOut]
    erased: bool = Field(
        default=False, description="the dossier's personal data was destroyed: texts read [gewist]"
    )
    legal_hold: bool = Field(default=False, description="a legal hold stops every destruction")
    conversation_log: list[ConversationOut]
    round_tables: list[RoundTableOut]
    plan: PlanOut | None
    escalations: list[EscalationOut]
    help_question: str | None = None
    problems_parents: list[str] | None = None
    problems_children: list[str] | None = None
    referrals: list[ReferralOut] | None = None
    consents: list[ConsentOut] | None = None
    safety_assessments: list[SafetyOut] | None = None
    sharing_decisions: list[SharingDecisionOut] | None = None
    legal_grounds: list[str] = Field(default_factory=list)
    withheld: list[WithheldOut] = Field(default_factory=list)


class EventOut(BaseModel):
    position: int = Field(description="the event's number within the case (its version)")
    event: str = Field(
        description="the stable event type", examples=["gezinsregie.case.triaged.v1"]
    )
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, str]
    data: dict[str, Any] = Field(
        description="what the event says; a field this reader may not see is null"
    )
    withheld: list[str] | None = Field(
        default=None, description="the fields of `data` withheld from this reader (dotted paths)"
    )


class HistoryOut(BaseModel):
    case_id: UUID
    as_of: datetime | None
    mode: ReplayMode
    events: list[EventOut]
    state: CaseOut | None = Field(
        default=None,
        description="the case as these events make it; absent when it did not exist yet",
    )
