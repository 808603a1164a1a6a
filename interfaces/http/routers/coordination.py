"""The coordination point's views: the overview with signals and the caseloads (the
waitlists: `waitlist.py`); each paged and filtered by the one contract of
`interfaces.http.paging`. The pages call the `*_in_scope` functions, which answer the
whole list of a scope."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from domain.authorization import (
    CoordinationScope,
    User,
    coordination_scope,
    may_see_coordination,
)
from interfaces.http.deps import (
    CasesDep,
    PositionQuery,
    SettingsDep,
    UserDep,
    check_position_recorded,
    readable_case,
    wait_until,
)
from interfaces.http.list_filters import OverviewFilters
from interfaces.http.paging import (
    PAGED,
    CursorQuery,
    LimitQuery,
    decode_cursor,
    next_url,
    page_of,
    reject_unknown_query,
)
from interfaces.http.problems import ProblemError
from interfaces.http.schemas.common import PROBLEM_RESPONSES, OneLine
from interfaces.http.schemas.coordination import (
    CaseloadOut,
    CaseOverviewOut,
    OverviewOut,
)
from interfaces.http.scope_query import narrowed, within
from interfaces.http.views import Views
from projections import queries
from projections.signals import SignalSettings
from projections.view import DocumentView, RowFilter

router = APIRouter(
    prefix="/v1",
    tags=["coordination"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(reject_unknown_query)],
)
Place = Annotated[str | None, OneLine, Query(max_length=64)]
Text = Annotated[str | None, OneLine]


def view_of(request: Request, name: str, position: int | None, timeout: float) -> DocumentView:
    """The view, once it has processed `position` (read-your-writes), else 503."""
    views: Views = request.app.state.views
    view = views.opened[name].view
    upstream = request.app.state.cases.name
    check_position_recorded(request.app.state.cases, position)

    def reached() -> int:
        """The view's position; a view that stopped on an error will not reach any more."""
        if views.failure(name) is not None:
            detail = f"the {name} view has stopped on an error and is behind; see /health"
            raise ProblemError(503, "View stopped", detail, {"Retry-After": "60"})
        return view.position(upstream)

    wait_until(position, reached, timeout, f"the {name} view")
    return view


def scoped(user: User, municipality: str | None, team: str | None) -> CoordinationScope:
    """The user's scope, narrowed further by the filters they asked for: 403 for a user
    who sees no coordination, 422 for a filter outside the scope."""
    if not may_see_coordination(user):
        raise ProblemError(403, "Forbidden", "your roles do not include coordination views")
    return narrowed(coordination_scope(user), municipality, team)


def coach_fields(scope: CoordinationScope) -> tuple[tuple[str, str], ...]:
    """A coach's own cases, picked out by the view's database rather than after decoding
    every row (the list is filtered on the same fields below, too)."""
    return (("coach", scope.coach or ""), ("coach_organisation", scope.coach_organisation or ""))


def not_for_coaches(scope: CoordinationScope, what: str) -> None:
    if scope.coach is not None:
        raise ProblemError(403, "Forbidden", f"{what} are for coordinators and managers")


def overview_entries(
    request: Request, settings: Any, where: RowFilter, page: queries.PageAsked | None = None
) -> list[dict[str, Any]]:
    """The overview's entries of the rows `where` picks (or a page of them), with their
    signals as of now (only cases changed since the last read are computed again)."""
    signal_settings = SignalSettings(
        settings.plan_due_days,
        settings.referral_wait_days,
        settings.closure_warning_days,
        settings.erasure_warning_days,
    )
    view = request.app.state.views.opened["overview"].view
    now = request.app.state.cases.clock.now()
    remembered = request.app.state.overview_entries
    return queries.overview(
        view, now, settings.periods_for, signal_settings, where, remembered, page
    )


def overview_in_scope(
    request: Request,
    user: User,
    municipality: str | None,
    team: str | None,
    filters: OverviewFilters | None = None,
    position: int | None = None,
    page: queries.PageAsked | None = None,
) -> dict[str, Any]:
    """The overview of the user's scope, filtered, ordered by case id: whole, or the page
    asked (with one case more if more follow). A coach sees their own cases."""
    filters = filters or OverviewFilters()
    scope = scoped(user, municipality, team)
    settings = request.app.state.settings
    view_of(request, "overview", position, settings.wait_timeout_seconds)
    coach = within(scope.coach, filters.coach, "coach")
    own = () if scope.coach is None else coach_fields(scope)
    stored = OverviewFilters(coach=coach, status=filters.status).stored()
    fields = tuple(dict((*own, *stored)).items())
    where = RowFilter(municipality=scope.municipality, team=scope.team, doc=fields)
    if page is None:
        cases = [c for c in overview_entries(request, settings, where) if filters.keeps(c)]
    else:
        cases = overview_entries(request, settings, where, replace(page, keeps=filters.keeps))
    return {"as_of": request.app.state.cases.clock.now(), "cases": cases}


@router.get(
    "/overview", response_model=OverviewOut, response_model_exclude_unset=True, responses=PAGED
)
def coordination_overview(
    request: Request,
    response: Response,
    user: UserDep,
    municipality: Place = None,
    team: Place = None,
    signal: Annotated[
        Text, Query(max_length=64, description="cases showing this signal, e.g. no_coach")
    ] = None,
    coach: Annotated[Text, Query(max_length=64, description="cases with this regisseur")] = None,
    status: Annotated[
        Text, Query(max_length=64, description="open, or closed (an erasure to carry out)")
    ] = None,
    destination: Annotated[
        Text, Query(max_length=64, description="cases with an open referral there")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Open cases (paged, by case id): regisseur, involved parties and tasks, plan,
    referrals, signals."""
    filters = OverviewFilters(signal, coach, status, destination)
    asked = {"municipality": municipality, "team": team, **filters.as_query()}
    after = decode_cursor(cursor, asked)
    asked_page = queries.PageAsked(after, limit)
    found = overview_in_scope(request, user, municipality, team, filters, position, asked_page)
    page = page_of(found["cases"], lambda c: (c["case_id"],), None, limit)
    return {
        **found,
        "cases": page.items,
        "next": next_url(request, response, page.next_after, asked),
    }


@router.get(
    "/overview/{case_id}", response_model=CaseOverviewOut, response_model_exclude_unset=True
)
def case_overview(
    case_id: UUID,
    request: Request,
    user: UserDep,
    cases: CasesDep,
    settings: SettingsDep,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """One case's coordination overview with its signals."""
    readable_case(cases, user, case_id)
    scoped(user, None, None)
    view_of(request, "overview", position, settings.wait_timeout_seconds)
    found = overview_entries(request, settings, RowFilter(case_id=str(case_id)))
    if not found:
        raise ProblemError(
            404, "Not found", f"case {case_id} is not in the overview (closed, nothing outstanding)"
        )
    return found[0]


def caseload_in_scope(
    request: Request,
    user: User,
    municipality: str | None,
    position: int | None = None,
    page: queries.PageAsked | None = None,
) -> dict[str, Any]:
    """Every coach's caseload in the user's scope (or the page asked, with one coach more
    if more follow), by coach."""
    scope = scoped(user, municipality, None)
    not_for_coaches(scope, "caseloads")
    settings = request.app.state.settings
    view = view_of(request, "overview", position, settings.wait_timeout_seconds)
    return {
        "norm_per_fte": settings.caseload_norm_per_fte,
        "coaches": queries.caseload(
            view,
            settings.fte_of,
            settings.caseload_norm_per_fte,
            scope.municipality,
            scope.team,
            page,
        ),
    }


@router.get("/caseload", response_model=CaseloadOut, responses=PAGED)
def caseload(
    request: Request,
    response: Response,
    user: UserDep,
    municipality: Place = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Open cases per coach against the norm per full-time coach (paged, by coach)."""
    asked = {"municipality": municipality}
    after = decode_cursor(cursor, asked)
    asked_page = queries.PageAsked(after, limit)
    found = caseload_in_scope(request, user, municipality, position, asked_page)
    page = page_of(found["coaches"], lambda c: (c["coach"],), None, limit)
    return {
        **found,
        "coaches": page.items,
        "next": next_url(request, response, page.next_after, asked),
    }
