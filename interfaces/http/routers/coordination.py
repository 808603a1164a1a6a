"""The coordination point's views: waitlists, the overview with signals, caseloads."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

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
from interfaces.http.problems import ProblemError
from interfaces.http.schemas.common import PROBLEM_RESPONSES, OneLine
from interfaces.http.schemas.coordination import (
    CaseloadOut,
    CaseOverviewOut,
    OverviewOut,
    WaitlistOut,
)
from interfaces.http.views import Views
from projections import queries
from projections.signals import SignalSettings
from projections.view import DocumentView, RowFilter

router = APIRouter(prefix="/v1", tags=["coordination"], responses=PROBLEM_RESPONSES)
Place = Annotated[str | None, OneLine, Query(max_length=64)]


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
    """The user's scope, narrowed further by the filters they asked for."""
    if not may_see_coordination(user):
        raise ProblemError(403, "Forbidden", "your roles do not include coordination views")
    own = coordination_scope(user)
    return CoordinationScope(
        municipality=own.municipality if own.municipality is not None else municipality,
        team=own.team if own.team is not None else team,
        coach=own.coach,
        coach_organisation=own.coach_organisation,
    )


def coach_fields(scope: CoordinationScope) -> tuple[tuple[str, str], ...]:
    """A coach's own cases, picked out by the view's database rather than after decoding
    every row (the list is filtered on the same fields below, too)."""
    return (("coach", scope.coach or ""), ("coach_organisation", scope.coach_organisation or ""))


def not_for_coaches(scope: CoordinationScope, what: str) -> None:
    if scope.coach is not None:
        raise ProblemError(403, "Forbidden", f"{what} are for coordinators and managers")


@router.get("/waitlist", response_model=WaitlistOut)
def waitlist(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    municipality: Place = None,
    team: Place = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Families waiting for a coach, and referrals waiting at providers."""
    scope = scoped(user, municipality, team)
    not_for_coaches(scope, "waitlists")
    view = view_of(request, "waitlist", position, settings.wait_timeout_seconds)
    now = request.app.state.cases.clock.now()
    return {
        "as_of": now,
        "families": queries.family_waitlist(view, now, scope.municipality, scope.team),
        "providers": queries.provider_waitlist(view, now, scope.municipality, scope.team),
    }


def _overview(request: Request, settings: Any, where: RowFilter) -> list[dict[str, Any]]:
    signal_settings = SignalSettings(
        settings.plan_due_days,
        settings.referral_wait_days,
        settings.closure_warning_days,
        settings.erasure_warning_days,
    )
    view = request.app.state.views.opened["overview"].view
    now = request.app.state.cases.clock.now()
    remembered = request.app.state.overview_entries
    return queries.overview(view, now, settings.periods_for, signal_settings, where, remembered)


@router.get("/overview", response_model=OverviewOut, response_model_exclude_unset=True)
def coordination_overview(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    municipality: Place = None,
    team: Place = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Open cases: regisseur, involved parties and tasks, plan, referrals, signals."""
    scope = scoped(user, municipality, team)
    view_of(request, "overview", position, settings.wait_timeout_seconds)
    own = () if scope.coach is None else coach_fields(scope)
    where = RowFilter(municipality=scope.municipality, team=scope.team, doc=own)
    cases = _overview(request, settings, where)
    if scope.coach is not None:
        cases = [
            c
            for c in cases
            if c["coach"] == scope.coach and c["coach_organisation"] == scope.coach_organisation
        ]
    return {"as_of": request.app.state.cases.clock.now(), "cases": cases}


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
    found = _overview(request, settings, RowFilter(case_id=str(case_id)))
    if not found:
        raise ProblemError(
            404, "Not found", f"case {case_id} is not in the overview (closed, nothing outstanding)"
        )
    return found[0]


@router.get("/caseload", response_model=CaseloadOut)
def caseload(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    municipality: Place = None,
    position: PositionQuery = None,
) -> dict[str, Any]:
    """Open cases per coach against the norm per full-time coach."""
    scope = scoped(user, municipality, None)
    not_for_coaches(scope, "caseloads")
    view = view_of(request, "overview", position, settings.wait_timeout_seconds)
    return {
        "norm_per_fte": settings.caseload_norm_per_fte,
        "coaches": queries.caseload(
            view, settings.fte_of, settings.caseload_norm_per_fte, scope.municipality, scope.team
        ),
    }
