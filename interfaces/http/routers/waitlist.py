"""The coordination point's waitlists: families waiting for a coach, and referrals waiting
at providers; each paged by the contract of `interfaces.http.paging`. The pages call
`waitlist_in_scope`, which answers the whole waitlist of a scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from domain.authorization import CoordinationScope, User
from interfaces.http.deps import PositionQuery, UserDep
from interfaces.http.list_filters import WaitlistFilters
from interfaces.http.paging import (
    PAGED,
    CursorQuery,
    LimitQuery,
    decode_cursor,
    next_url,
    page_of,
    reject_unknown_query,
)
from interfaces.http.routers.coordination import Place, not_for_coaches, scoped, view_of
from interfaces.http.schemas.common import PROBLEM_RESPONSES
from interfaces.http.schemas.coordination import ProvidersOut, ProviderSummaryOut, WaitlistOut
from projections import queries
from projections.view import DocumentView, RowFilter

router = APIRouter(
    prefix="/v1",
    tags=["coordination"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(reject_unknown_query)],
)


def waitlist_in_scope(
    request: Request,
    user: User,
    municipality: str | None,
    team: str | None,
    filters: WaitlistFilters | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    """The whole waitlist of the user's scope: families (filtered) and providers."""
    filters = filters or WaitlistFilters()
    scope, view, now = waitlist_view(request, user, municipality, team, position)
    families = queries.family_waitlist(view, now, scope.municipality, scope.team)
    return {
        "as_of": now,
        "families": [f for f in families if filters.keeps(f)],
        "providers": {"by_destination": provider_summary_in(view, now, scope)},
    }


def waitlist_view(
    request: Request, user: User, municipality: str | None, team: str | None, position: int | None
) -> tuple[CoordinationScope, DocumentView, Any]:
    """The user's scope of the waitlist (not a coach's), its view once at `position`, now."""
    scope = scoped(user, municipality, team)
    not_for_coaches(scope, "waitlists")
    settings = request.app.state.settings
    view = view_of(request, "waitlist", position, settings.wait_timeout_seconds)
    return scope, view, request.app.state.cases.clock.now()


@router.get("/waitlist", response_model=WaitlistOut, responses=PAGED)
def waitlist(
    request: Request,
    response: Response,
    user: UserDep,
    municipality: Place = None,
    team: Place = None,
    priority: Annotated[int | None, Query(ge=1, le=5, description="1 is the most urgent")] = None,
    contact_overdue: bool | None = None,
    min_days_waiting: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Families waiting for a coach (paged, by priority, date placed, case id). Referrals
    waiting at providers: `GET /v1/waitlist/providers`."""
    filters = WaitlistFilters(priority, contact_overdue, min_days_waiting)
    asked = {"municipality": municipality, "team": team, **filters.as_query()}
    after = decode_cursor(cursor, asked)
    scope, view, now = waitlist_view(request, user, municipality, team, position)
    where = RowFilter(municipality=scope.municipality, team=scope.team)
    asked_page = queries.PageAsked(after, limit, filters.keeps)
    found = queries.family_waitlist_page(view, now, where, asked_page)
    page = page_of(found, family_key, None, limit)
    return {
        "as_of": now,
        "families": page.items,
        "next": next_url(request, response, page.next_after, asked),
    }


@router.get("/waitlist/providers", response_model=ProvidersOut, responses=PAGED)
def provider_waitlist(
    request: Request,
    response: Response,
    user: UserDep,
    municipality: Place = None,
    team: Place = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Referrals requested or accepted but not started (paged, longest waiting first).
    Their waits per destination and organisation: `GET /v1/waitlist/providers/summary`."""
    asked = {"municipality": municipality, "team": team}
    after = decode_cursor(cursor, asked)
    scope, view, now = waitlist_view(request, user, municipality, team, position)
    where = RowFilter(municipality=scope.municipality, team=scope.team)
    found = queries.provider_referrals_page(view, now, where, queries.PageAsked(after, limit))
    page = page_of(found, referral_key, None, limit)
    return {
        "as_of": now,
        "referrals": page.items,
        "next": next_url(request, response, page.next_after, asked),
    }


@router.get("/waitlist/providers/summary", response_model=ProviderSummaryOut)
def provider_summary(
    request: Request,
    user: UserDep,
    municipality: Place = None,
    team: Place = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """The waits per destination and organisation (how many, the longest, the median):
    a summary of every referral waiting in scope, summed up by the database per read."""
    scope, view, now = waitlist_view(request, user, municipality, team, position)
    return {"as_of": now, "by_destination": provider_summary_in(view, now, scope)}


def provider_summary_in(
    view: DocumentView, now: datetime, scope: CoordinationScope
) -> list[dict[str, Any]]:
    """The providers' summary of the scope's place."""
    where = RowFilter(municipality=scope.municipality, team=scope.team)
    return queries.provider_summary(view, now, where)


def referral_key(referral: dict[str, Any]) -> tuple[Any, ...]:
    return (referral["requested_at"], referral["case_id"], referral["referral_id"])


def family_key(family: dict[str, Any]) -> tuple[Any, ...]:
    return (family["priority"], family["placed_at"], family["case_id"])
