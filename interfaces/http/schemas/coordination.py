"""Answers of the coordination views (waitlist, overview, caseload), so that a client
knows their shape from OpenAPI. Moments kept by the views are ISO 8601 text as stored."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

Stored = str
"""A moment as the view stores it: ISO 8601 with offset, e.g. 2026-08-28T09:24:00+00:00."""


class FamilyWaitingOut(BaseModel):
    case_id: str
    municipality: str
    team: str
    priority: int = Field(description="1 is the most urgent", examples=[2])
    urgency: str = Field(examples=["normal"])
    placed_at: Stored
    days_waiting: int
    contacts: int = Field(description="contacts with the family while it waits")
    last_contact_at: Stored | None
    contact_overdue: bool = Field(description="no contact for longer than the interval")
    consent_in_force: bool = Field(description="the family's consent to the waitlist holds")


class ProviderReferralOut(BaseModel):
    case_id: str
    referral_id: str
    member_id: str
    destination: str = Field(examples=["specialised_ggz"])
    organisation: str
    status: str = Field(examples=["accepted"])
    requested_at: Stored
    days_waiting: int


class DestinationWaitOut(BaseModel):
    destination: str
    organisation: str
    waiting: int
    max_days: int
    median_days: float


NEXT = Field(
    None,
    description="The next page's URL (also in the `Link` header); null on the last page",
    examples=["/v1/overview?limit=50&cursor=eyJhZnRlciI6..."],
)


class ProvidersOut(BaseModel):
    as_of: datetime
    referrals: list[ProviderReferralOut] = Field(
        description="paged: longest waiting first, then case id and referral id"
    )
    next: str | None = NEXT


class ProviderSummaryOut(BaseModel):
    as_of: datetime
    by_destination: list[DestinationWaitOut] = Field(
        description="every referral waiting in scope, per destination and organisation"
    )


class WaitlistOut(BaseModel):
    as_of: datetime
    families: list[FamilyWaitingOut] = Field(
        description="paged: by priority, then longest waiting, then case id"
    )
    next: str | None = NEXT


class SignalOut(BaseModel):
    code: str = Field(examples=["no_coach"])
    message: str = Field(examples=["the family needs a coach and has none"])


class PartyOut(BaseModel):
    roles: list[str] = Field(examples=[["reporter", "plan agreement"]])
    tasks: list[str]


class PlanSummaryOut(BaseModel):
    version: int
    adopted_at: Stored
    next_evaluation: str | None = Field(description="a date, e.g. 2026-09-01")
    goals_per_member: dict[str, list[str]] = Field(description="life domains per member")
    last_evaluated_at: Stored | None


class OverviewReferralOut(BaseModel):
    member_id: str
    destination: str
    organisation: str
    status: str
    requested_at: Stored
    started_at: Stored | None
    ended_at: Stored | None
    days_waiting: int


class BrokenAgreementOut(BaseModel):
    agreement_id: str
    at: Stored


class OutstandingErasureOut(BaseModel):
    due_on: str | None = Field(description="a date: the request is due by then")
    status: str = Field(examples=["requested"])


class CaseOverviewOut(BaseModel):
    """Who does what for one family, and what stalls (signals)."""

    case_id: str
    municipality: str
    team: str
    status: str = Field(examples=["open"])
    opened_at: Stored
    last_activity_at: Stored
    closed_at: Stored | None
    help_question_open: bool
    triage_outcome: str | None
    coordination_level: int | None
    waiting: bool = Field(description="on the waitlist for a coach")
    coach: str | None = Field(description="the regisseur")
    coach_organisation: str | None
    coach_since: Stored | None
    coach_changes: int
    regisseur_known_to: list[str]
    involved: dict[str, PartyOut] = Field(description="per organisation: its roles and tasks")
    plan: PlanSummaryOut | None
    referrals: dict[str, OverviewReferralOut] = Field(description="open referrals by id")
    broken_agreements: list[BrokenAgreementOut]
    separate_plans: list[str] = Field(description="organisations with a plan of their own")
    escalations: int
    erasure_requests: dict[str, OutstandingErasureOut] | None = None
    legal_hold: bool | None = None
    signals: list[SignalOut]


class OverviewOut(BaseModel):
    as_of: datetime
    cases: list[CaseOverviewOut] = Field(description="paged: by case id")
    next: str | None = NEXT


class CoachLoadOut(BaseModel):
    coach: str
    cases: int = Field(description="open cases with this coach as regisseur")
    fte: float
    norm: float = Field(description="the norm per full-time coach, times this coach's fte")
    over_norm: bool


class CaseloadOut(BaseModel):
    norm_per_fte: float
    coaches: list[CoachLoadOut] = Field(description="paged: by coach")
    next: str | None = NEXT


class MonitorTableOut(BaseModel):
    name: str = Field(examples=["inflow_by_channel"])
    title: str
    note: str
    columns: list[str] = Field(description="the ids of the row's values, in order")
    rows: list[dict[str, int | float | str | None]] = Field(
        description="one object per row, keyed by column id; a suppressed cell is text "
        "such as '<5', a figure that cannot be computed is null"
    )


class MonitorOut(BaseModel):
    """The monitor as JSON (`format=json`)."""

    report: str
    parameters: dict[str, str | int | float | None]
    notes: list[str]
    tables: list[MonitorTableOut]
