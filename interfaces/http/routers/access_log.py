"""Who read what: for privacy officers and auditors, and per case for the family.

Both lists are paged newest first (by the moment of the read, then the record's id, both
descending), read page by page from the store's indexes. The body stays a bare list (as
it was): the next page's URL is in the `Link: <...>; rel="next"` header only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from application.access_log import AccessLog, AccessQuery, AccessRecord
from domain.authorization import may_read_access_log, may_see_who_read_the_file
from interfaces.http.deps import CasesDep, UserDep, readable_case
from interfaces.http.moment_query import SinceQuery, UntilQuery
from interfaces.http.paging import (
    PAGED,
    CursorQuery,
    LimitQuery,
    SortKey,
    decode_cursor,
    next_url,
    reject_unknown_query,
)
from interfaces.http.problems import ProblemError
from interfaces.http.schemas.common import PROBLEM_RESPONSES, OneLine

router = APIRouter(
    tags=["access log"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(reject_unknown_query)],
)
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
    shown = {k: v for k, v in vars(record).items() if k != "record_id"}
    return AccessRecordOut(
        **{**shown, "members": list(record.members), "categories": list(record.categories)}
    )


def before_of(after: SortKey | None) -> tuple[datetime, int] | None:
    """The (at, record id) a cursor holds; 422 if it holds anything else."""
    if after is None:
        return None
    try:
        at, record_id = after
        return datetime.fromisoformat(at), int(record_id)
    except (TypeError, ValueError):
        problem = {
            "loc": ("query", "cursor"),
            "msg": "not a cursor of this list",
            "type": "value_error",
        }
        raise RequestValidationError([problem]) from None


def a_page(
    request: Request,
    response: Response,
    query: AccessQuery,
    cursor: str | None,
    filters: dict[str, Any],
) -> list[AccessRecordOut]:
    """One page newest first: one record more than asked is read to know a next follows."""
    log: AccessLog = request.app.state.access_log
    asked = replace(query, newest_first=True, before=before_of(decode_cursor(cursor, filters)))
    found = log.find(replace(asked, limit=query.limit + 1))
    shown = found[: query.limit]
    last = shown[-1] if len(found) > query.limit else None
    after = None if last is None else (last.at.isoformat(), last.record_id)
    next_url(request, response, after, filters)
    return [out(r) for r in shown]


@router.get("/v1/access-log", response_model=list[AccessRecordOut], responses=PAGED)
def access_log(
    request: Request,
    response: Response,
    user: UserDep,
    since: SinceQuery,
    until: UntilQuery,
    case_id: UUID | None = None,
    member: Annotated[Filter, Query(description="reads that showed this member's data")] = None,
    subject: Annotated[Filter, Query(description="the reader")] = None,
    organisation: Annotated[Filter, Query(description="the reader's organisation")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> list[AccessRecordOut]:
    """Every logged read, newest first, filtered by case, member, reader (subject,
    organisation) and period; the next page in the `Link` header."""
    if not may_read_access_log(user):
        raise ProblemError(403, "Forbidden", "the access log is for privacy officers and auditors")
    case = str(case_id) if case_id else None
    filters = {
        "case_id": case,
        "member": member,
        "subject": subject,
        "organisation": organisation,
        "since": since,
        "until": until,
    }
    query = AccessQuery(case, subject, organisation, since, until, limit, member)
    return a_page(request, response, query, cursor, filters)


@router.get("/v1/cases/{case_id}/access-log", response_model=list[AccessRecordOut], responses=PAGED)
def who_looked_at_this_file(
    case_id: UUID,
    request: Request,
    response: Response,
    user: UserDep,
    cases: CasesDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> list[AccessRecordOut]:
    """Who read this family's file, when and why, newest first: for the family, through
    their coach; the next page in the `Link` header."""
    if may_read_access_log(user):
        if not cases.exists(case_id):
            raise ProblemError(404, "Not found", f"there is no case {case_id}")
    else:
        case = readable_case(cases, user, case_id)
        if not may_see_who_read_the_file(user, case):
            raise ProblemError(403, "Forbidden", "only those caring for the family show this")
    query = AccessQuery(case_id=str(case_id), limit=limit)
    return a_page(request, response, query, cursor, {"case_id": str(case_id)})
