"""Finding a case: the list of cases in the user's scope, filtered and paged, and for
those in direct care a search on a member's name and birth date (a blind index: see
`application.name_search`). The list shows no personal data; a name search that finds a
case is logged as a read of the members it found.

(No `from __future__ import annotations`: FastAPI reads the dependencies' annotations.)"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from application.name_search import NameTokens, found_by_name_record
from domain.authorization import (
    CoordinationScope,
    User,
    coordination_scope,
    may_list_cases,
    name_search_scope,
)
from interfaces.http.deps import PositionQuery, SettingsDep, UserDep
from interfaces.http.moment_query import moment_query
from interfaces.http.paging import (
    CursorQuery,
    LimitQuery,
    decode_cursor,
    encode_cursor,
    next_url,
    reject_unknown_query,
)
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import reader_of, record_read
from interfaces.http.routers.coordination import overview_entries, view_of
from interfaces.http.schemas.common import PROBLEM_RESPONSES, Name, OneLine
from projections.case_index import CaseIndexProjection
from projections.case_index_view import CaseIndexView, CaseQuery
from projections.projection import moment as stored
from projections.view import RowFilter

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=PROBLEM_RESPONSES)

Place = Annotated[str | None, OneLine, Query(max_length=64)]
SignalCode = Literal[
    "no_coach",
    "no_plan",
    "evaluation_overdue",
    "referral_waiting",
    "handover_gap",
    "agreement_broken",
    "more_than_one_plan",
    "closure_due",
    "regisseur_unknown",
    "erasure_due",
]
OpenedFrom = Annotated[
    datetime | None, moment_query("opened_from", "Opened at or after this moment")
]
OpenedUntil = Annotated[datetime | None, moment_query("opened_until", "Opened before this moment")]


class CaseListItemOut(BaseModel):
    case_id: str
    municipality: str
    team: str
    status: Literal["open", "closed"]
    opened_at: str = Field(description="ISO 8601 in UTC, as the index stores it")
    closed_at: str | None
    coach: str | None = Field(description="the regisseur in office, or who closed the case")
    coach_organisation: str | None


class CaseListOut(BaseModel):
    cases: list[CaseListItemOut] = Field(description="newest first (opened_at, then case id)")
    next: str | None = Field(description="the next page's URL; null on the last page")


def _invalid(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def listing_scope(
    user: User,
    by_name: bool,
    municipality: str | None,
    team: str | None,
    coach: str | None,
) -> CoordinationScope:
    """The user's scope (a name search's is that of direct care), narrowed by the filters
    asked; a filter naming what lies outside it is a 422, not an empty or wider list."""
    if by_name:
        own = name_search_scope(user)
        if own is None:
            raise ProblemError(403, "Forbidden", "searching by name is for those in direct care")
    elif may_list_cases(user):
        own = coordination_scope(user)
    else:
        raise ProblemError(403, "Forbidden", "your roles do not include the list of cases")
    for name, asked, allowed in (
        ("municipality", municipality, own.municipality),
        ("team", team, own.team),
        ("coach", coach, own.coach),
    ):
        if asked is not None and allowed is not None and asked != allowed:
            raise _invalid(name, f"{asked!r} is outside your scope")
    return CoordinationScope(
        municipality=own.municipality if own.municipality is not None else municipality,
        team=own.team if own.team is not None else team,
        coach=own.coach if own.coach is not None else coach,
        coach_organisation=own.coach_organisation,
    )


def with_signal(
    request: Request, settings: Any, scope: CoordinationScope, signal: str
) -> tuple[str, ...]:
    """The cases in scope that show `signal` now: computed from the overview's entries,
    as `GET /v1/overview` does (signals depend on the moment and on settings, so they
    are no column of the index)."""
    where = RowFilter(municipality=scope.municipality, team=scope.team, current=True)
    found = overview_entries(request, settings, where)
    return tuple(
        entry["case_id"]
        for entry in found
        if any(s["code"] == signal for s in entry["signals"])
        and (scope.coach is None or entry["coach"] == scope.coach)
    )


def _both_or_neither(name: str | None, birth_date: date | None) -> None:
    if (name is None) != (birth_date is None):
        missing = "birth_date" if birth_date is None else "name"
        raise _invalid(missing, "a name search needs both name and birth_date")


@router.get("", response_model=CaseListOut, dependencies=[Depends(reject_unknown_query)])
def list_cases(
    request: Request,
    response: Response,
    user: UserDep,
    settings: SettingsDep,
    municipality: Place = None,
    team: Place = None,
    status: Literal["open", "closed"] | None = None,
    coach: Annotated[str | None, OneLine, Query(max_length=64)] = None,
    opened_from: OpenedFrom = None,
    opened_until: OpenedUntil = None,
    signal: SignalCode | None = None,
    name: Annotated[
        Name | None,
        Query(description="A member's name (or family name), with `birth_date`: direct care only"),
    ] = None,
    birth_date: Annotated[date | None, Query(description="That member's birth date")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Cases in your scope, newest first: their place, status, coach and dates, nothing
    personal. Filters: municipality, team, status, coach, opened between `opened_from`
    and `opened_until`, a signal the case shows now; and, for coordinators and coaches
    (direct care), a member's name with their birth date. A filter outside your scope is
    a 422; a name search by anyone else a 403. Every case found by name is logged in the
    access log as a read of the members found."""
    _both_or_neither(name, birth_date)
    by_name = name is not None and birth_date is not None
    scope = listing_scope(user, by_name, municipality, team, coach)
    tokens: tuple[str, ...] | None = None
    if name is not None and birth_date is not None:
        tokens = (name_tokens(request).token(name, birth_date),)
    asked = Listing(status, _utc(opened_from), _utc(opened_until), signal, tokens)
    filters = asked.bound_to(scope, opened_from, opened_until)
    after = _keyset(decode_cursor(cursor, filters), "query")
    cases, last = cases_page(request, user, settings, scope, asked, after, limit, position)
    return {"cases": cases, "next": next_url(request, response, last, filters)}


ShortText = Annotated[str, StringConstraints(max_length=64), OneLine]


class CaseSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="a member's name (or family name)")
    birth_date: date = Field(description="that member's birth date")
    municipality: ShortText | None = None
    team: ShortText | None = None
    status: Literal["open", "closed"] | None = None
    coach: ShortText | None = None
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(
        None, max_length=2000, description="the previous answer's `next_cursor`, to page on"
    )


class CaseSearchOut(BaseModel):
    cases: list[CaseListItemOut] = Field(description="newest first (opened_at, then case id)")
    next_cursor: str | None = Field(
        description="send the same body with this `cursor` for the next page; null on the last"
    )


@router.post("/search", response_model=CaseSearchOut)
def search_cases(
    request: Request,
    body: CaseSearchIn,
    user: UserDep,
    settings: SettingsDep,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Cases of a member found by name and birth date, given in the body so that they
    appear in no URL (nor in the logs of proxies on the way); for those in direct care
    (coordinators in their scope, coaches for their own cases), as `GET /v1/cases`'s name
    search. Every case found is logged in the access log as a read of the members found."""
    scope = listing_scope(user, True, body.municipality, body.team, body.coach)
    tokens = (name_tokens(request).token(body.name, body.birth_date),)
    asked = Listing(status=body.status, tokens=tokens)
    filters = asked.bound_to(scope, None, None)
    after = _keyset(_in_body(lambda: decode_cursor(body.cursor, filters)), "body")
    cases, last = cases_page(request, user, settings, scope, asked, after, body.limit, position)
    return {"cases": cases, "next_cursor": None if last is None else encode_cursor(last, filters)}


@dataclass(frozen=True)
class Listing:
    """What a listing asks beyond its scope (moments as the index stores them)."""

    status: str | None = None
    opened_from: str | None = None
    opened_until: str | None = None
    signal: str | None = None
    tokens: tuple[str, ...] | None = None

    def bound_to(
        self, scope: CoordinationScope, opened_from: datetime | None, opened_until: datetime | None
    ) -> dict[str, Any]:
        """The filters a cursor is made for (the moments as they were asked)."""
        return {
            "municipality": scope.municipality,
            "team": scope.team,
            "coach": scope.coach,
            "status": self.status,
            "opened_from": opened_from,
            "opened_until": opened_until,
            "signal": self.signal,
            "tokens": self.tokens,
        }


def _keyset(after: Any, where: str) -> tuple[str, str] | None:
    """The (opened_at, case id) a cursor holds; 422 if it holds anything else."""
    if after is None:
        return None
    if not (len(after) == 2 and all(isinstance(v, str) for v in after)):
        raise RequestValidationError(
            [{"loc": (where, "cursor"), "msg": "not a cursor of this list", "type": "value_error"}]
        )
    return (after[0], after[1])


def _in_body(decode: Any) -> Any:
    """A cursor's 422 names the body's field (the query's is named by `decode_cursor`)."""
    try:
        return decode()
    except RequestValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"][1:])} for e in error.errors()]
        ) from None


def cases_page(
    request: Request,
    user: User,
    settings: Any,
    scope: CoordinationScope,
    asked: Listing,
    after: tuple[str, str] | None,
    limit: int,
    position: int | None,
) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
    """A page of the cases in scope that the listing asks for, and the sort key of its
    last case if more follow. Cases found by name are logged as read."""
    view = view_of(request, CaseIndexProjection.name, position, settings.wait_timeout_seconds)
    assert isinstance(view, CaseIndexView)
    case_ids = None
    if asked.signal is not None:
        view_of(request, "overview", position, settings.wait_timeout_seconds)
        case_ids = with_signal(request, settings, scope, asked.signal)
    query = CaseQuery(
        municipality=scope.municipality,
        team=scope.team,
        status=asked.status,
        coach=scope.coach,
        coach_organisation=scope.coach_organisation,
        opened_from=asked.opened_from,
        opened_until=asked.opened_until,
        tokens=asked.tokens,
        case_ids=case_ids,
        after=after,
        limit=limit + 1,
    )
    rows = view.find_cases(query)
    page, more = rows[:limit], len(rows) > limit
    last = (page[-1].doc["opened_at"], page[-1].key) if more and page else None
    if asked.tokens is not None and page:
        log_found(request, user, view, asked.tokens, [row.key for row in page])
    return [item(row.key, row.municipality, row.team, row.doc) for row in page], last


def name_tokens(request: Request) -> NameTokens:
    """The search key, read from the key store once per process."""
    state = request.app.state
    tokens: NameTokens | None = getattr(state, "name_tokens", None)
    if tokens is None:
        tokens = state.name_tokens = NameTokens.from_store(state.cases.data_keys.store)
    return tokens


def log_found(
    request: Request, user: User, view: CaseIndexView, tokens: tuple[str, ...], found: list[str]
) -> None:
    """One access-log record per case found by name, naming the members found."""
    members = view.members_with(tokens)
    reader = reader_of(request, user)
    now = request.app.state.cases.clock.now()
    for case_id in found:
        record = found_by_name_record(reader, case_id, sorted(members.get(case_id, ())), now)
        record_read(request, record, UUID(case_id))


def item(case_id: str, municipality: str, team: str, doc: dict[str, Any]) -> dict[str, Any]:
    fields = ("status", "opened_at", "closed_at", "coach", "coach_organisation")
    return {
        "case_id": case_id,
        "municipality": municipality,
        "team": team,
        **{f: doc[f] for f in fields},
    }


def _utc(moment: datetime | None) -> str | None:
    """A moment as the index stores them (ISO 8601 in UTC), so text order is time order."""
    return None if moment is None else stored(moment)
