"""The auditor's timeline: every event with when it happened, when it was recorded, who
recorded it and what it says; and the state as of a moment. Every read is logged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from application.case_view import Delivered, case_view
from application.case_view_models import CaseOut
from application.inspection_run import inspect_case
from application.replay import ReplayMode, event_data, replay
from domain.authorization import Role, User, is_coordinating, is_the_coach
from domain.privacy import SUPERVISION, Viewer
from domain.vocabulary import ConsentPurpose, DataCategory
from interfaces.http.deps import CasesDep, UserDep, readable_case
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import record_read
from interfaces.http.schemas.common import PROBLEM_RESPONSES, MomentQuery
from interfaces.inspection_report import result_dict

router = APIRouter(tags=["audit"], responses=PROBLEM_RESPONSES)
AUDIT_PURPOSE = "audit"


class EventOut(BaseModel):
    position: int = Field(description="the event's number within the case (its version)")
    event: str = Field(
        description="the stable event type", examples=["gezinsregie.case.triaged.v1"]
    )
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, str]
    data: dict[str, Any]


class HistoryOut(BaseModel):
    case_id: UUID
    as_of: datetime | None
    mode: ReplayMode
    events: list[EventOut]
    state: CaseOut | None = Field(
        description="the case as these events make it; absent when the case did not exist yet"
    )


def auditor_view(user: User) -> Viewer:
    return Viewer(
        user.subject,
        user.organisation,
        provides_care=False,
        supervises=True,
        purpose=ConsentPurpose.CARE_COORDINATION,
    )


@router.get(
    "/v1/cases/{case_id}/history", response_model=HistoryOut, response_model_exclude_unset=True
)
def history(
    case_id: UUID,
    request: Request,
    user: UserDep,
    cases: CasesDep,
    as_of: MomentQuery = None,
    mode: Annotated[
        ReplayMode,
        Query(
            description="recorded: what was known at as_of; occurred: what had happened by as_of"
        ),
    ] = ReplayMode.RECORDED,
    events: Annotated[
        bool, Query(description="include the timeline (false: the state only)")
    ] = True,
) -> HistoryOut:
    """The case's timeline up to `as_of` (default: everything), and its state then."""
    if not user.has(Role.AUDITOR, Role.ADMIN):  # auditors read every case: no need to load it
        readable_case(cases, user, case_id)
        raise ProblemError(403, "Forbidden", "the full history is for auditors")
    found = replay(cases, case_id, as_of, mode)
    timeline = [
        EventOut(
            position=e.originator_version,
            event=type(e).TOPIC,
            occurred_at=e.occurred_at,
            recorded_at=e.timestamp,
            actor=e.actor,
            data=event_data(e),
        )
        for e in found.events
        if events
    ]
    out = HistoryOut(case_id=case_id, as_of=as_of, mode=mode, events=timeline, state=None)
    if found.state is not None:
        out.state, _, _ = case_view(auditor_view(user), found.state, cases.clock.now().date())
    if found.events:
        everything = Delivered(set(DataCategory), set(found.state.members if found.state else []))
        record_read(request, user, AUDIT_PURPOSE, case_id, everything, {SUPERVISION})
    return out


class EvidenceOut(BaseModel):
    position: int
    event: str


class IndicatorOut(BaseModel):
    code: str
    theme: str
    rule: str
    verdict: str = Field(examples=["voldoet", "verbeterpunt", "niet te beoordelen"])
    explanation: str
    evidence: list[EvidenceOut]


class InspectionOut(BaseModel):
    case_id: UUID
    as_of: datetime
    indicators: list[IndicatorOut]


@router.get("/v1/cases/{case_id}/inspection", response_model=InspectionOut)
def inspection(
    case_id: UUID,
    user: UserDep,
    cases: CasesDep,
    as_of: MomentQuery = None,
) -> InspectionOut:
    """Every indicator of the inspection framework for this case: verdict, rule, and the
    events it rests on; indicators a history cannot show are listed as such."""
    case = readable_case(cases, user, case_id)
    if not (
        user.has(Role.AUDITOR, Role.ADMIN)
        or is_coordinating(user, case)
        or is_the_coach(user, case)
    ):
        raise ProblemError(403, "Forbidden", "the inspection is for auditors and the case's team")
    moment = as_of or cases.clock.now()
    found = inspect_case(cases, case_id, moment)
    return InspectionOut(
        case_id=case_id,
        as_of=moment,
        indicators=[
            IndicatorOut(
                **{
                    **result_dict(r),
                    "evidence": [
                        EvidenceOut(position=e.position, event=e.topic) for e in r.evidence
                    ],
                }
            )
            for r in found.results
        ],
    )
