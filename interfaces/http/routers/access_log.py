"""Who read what: for privacy officers and auditors, and per case for the family."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from application.access_log import AccessLog, AccessQuery, AccessRecord
from domain.authorization import may_read_access_log, may_see_who_read_the_file
from interfaces.http.deps import CasesDep, UserDep, readable_case
from interfaces.http.moment_query import SinceQuery, UntilQuery
from interfaces.http.problems import ProblemError
from interfaces.http.schemas.common import PROBLEM_RESPONSES, OneLine

router = APIRouter(tags=["access log"], responses=PROBLEM_RESPONSES)
Filter = Annotated[str | None, OneLine, Query(max_length=64)]


class AccessRecordOut(BaseModel):
    at: datetime
    subject: str
    organisation: str
    role: str
    case_id: str
    members: list[str]
    categories: list[str]
    purpose: str
    legal_ground: str
    trace_id: str | None
    span_id: str | None = None
    parent_span_id: str | None = None


def out(record: AccessRecord) -> AccessRecordOut:
    return AccessRecordOut(
        **{**vars(record), "members": list(record.members), "categories": list(record.categories)}
    )


@router.get("/v1/access-log", response_model=list[AccessRecordOut])
def access_log(
    request: Request,
    user: UserDep,
    since: SinceQuery,
    until: UntilQuery,
    case_id: UUID | None = None,
    subject: Filter = None,
    organisation: Filter = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AccessRecordOut]:
    """Every logged read, filtered by case, person, organisation and period."""
    if not may_read_access_log(user):
        raise ProblemError(403, "Forbidden", "the access log is for privacy officers and auditors")
    log: AccessLog = request.app.state.access_log
    query = AccessQuery(
        str(case_id) if case_id else None, subject, organisation, since, until, limit
    )
    return [out(r) for r in log.find(query)]


@router.get("/v1/cases/{case_id}/access-log", response_model=list[AccessRecordOut])
def who_looked_at_this_file(
    case_id: UUID, request: Request, user: UserDep, cases: CasesDep
) -> list[AccessRecordOut]:
    """Who read this family's file, when and why: for the family, through their coach."""
    if may_read_access_log(user):
        if not cases.exists(case_id):
            raise ProblemError(404, "Not found", f"there is no case {case_id}")
    else:
        case = readable_case(cases, user, case_id)
        if not may_see_who_read_the_file(user, case):
            raise ProblemError(403, "Forbidden", "only those caring for the family show this")
    log: AccessLog = request.app.state.access_log
    return [out(r) for r in log.find(AccessQuery(case_id=str(case_id), limit=10_000))]
