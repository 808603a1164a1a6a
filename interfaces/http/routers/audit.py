"""The auditor's timeline: every event with when it happened, when it was recorded, who
recorded it and what it says; and the state as of a moment. Every read is logged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from application.case_view_models import HistoryOut
from application.inspection_run import inspect_case
from application.reading import read_history
from application.replay import ReplayMode, replay
from domain.authorization import Role, is_coordinating, is_the_coach
from interfaces.http.deps import CasesDep, UserDep, readable_case
from interfaces.http.moment_query import AsOfQuery
from interfaces.http.paging import reject_unknown_query
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import reader_of, record_read
from interfaces.http.schemas.common import PROBLEM_RESPONSES
from interfaces.inspection_report import result_dict

router = APIRouter(
    tags=["audit"], responses=PROBLEM_RESPONSES, dependencies=[Depends(reject_unknown_query)]
)


@router.get(
    "/v1/cases/{case_id}/history", response_model=HistoryOut, response_model_exclude_unset=True
)
def history(
    case_id: UUID,
    request: Request,
    user: UserDep,
    cases: CasesDep,
    as_of: AsOfQuery,
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
    reading = read_history(reader_of(request, user), found, cases.clock.now(), events)
    record_read(request, reading.record, case_id)
    return reading.view


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
    as_of: AsOfQuery,
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
