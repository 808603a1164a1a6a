"""Reports for the municipality (analysts): aggregated and pseudonymised, computed from
the report view, which is rebuilt from the events at any time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from domain.authorization import may_read_reports, report_scope
from interfaces.http.deps import PositionQuery, SettingsDep, UserDep
from interfaces.http.paging import reject_unknown_query
from interfaces.http.problems import ProblemError
from interfaces.http.routers.coordination import Place, view_of
from interfaces.http.schemas.common import PROBLEM_RESPONSES
from interfaces.http.schemas.coordination import MonitorOut
from interfaces.http.scope_query import narrowed
from interfaces.report_formats import render
from projections.monitor import MonitorOptions, monitor
from projections.report_period import ReportPeriod
from projections.report_table import suppress_small_cells

router = APIRouter(
    prefix="/v1/reports",
    tags=["reports"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(reject_unknown_query)],
)
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "md": "text/markdown"}
REPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The monitor as JSON (default), CSV or Markdown",
        "model": MonitorOut,
        "content": {
            MEDIA_TYPES["csv"]: {"schema": {"type": "string"}},
            MEDIA_TYPES["md"]: {"schema": {"type": "string"}},
        },
    }
}


@router.get("/monitor", response_class=Response, responses=REPORT_RESPONSES)
def monitor_report(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    first_day: Annotated[
        date,
        Query(
            alias="from",
            description="First day (local); a period lies within 1900-01-01..2999-12-31 and "
            "covers at most 25 years",
        ),
    ],
    last_day: Annotated[
        date, Query(alias="to", description="Last day (local), not before the first")
    ],
    municipality: Place = None,
    team: Place = None,
    min_cell: Annotated[int, Query(ge=1, le=1000, description="Suppress smaller cells")] = 1,
    outlier_fence: Annotated[float, Query(ge=0, le=100)] = 3.0,
    return_days: Annotated[int, Query(ge=0, le=3660)] = 365,
    form: Annotated[Literal["json", "csv", "md"], Query(alias="format")] = "json",
    position: PositionQuery = None,
) -> Response:
    """The monitor for a period: inflow, time spent, problems, referrals, waits, closures."""
    if not may_read_reports(user):
        raise ProblemError(403, "Forbidden", "reports are for analysts")
    scope = narrowed(report_scope(user), municipality, team)
    try:
        period = ReportPeriod(first_day, last_day, settings.report_timezone)
    except ValueError as error:
        raise ProblemError(422, "Invalid input", str(error)) from None
    view = view_of(request, "report", position, settings.wait_timeout_seconds)
    options = MonitorOptions(
        period,
        scope.municipality,
        scope.team,
        outlier_fence=Decimal(str(outlier_fence)),
        return_days=return_days,
        norm_per_fte=settings.caseload_norm_per_fte,
        fte=settings.coach_fte,
    )
    report = suppress_small_cells(monitor(view, options), min_cell)
    return Response(render(report, form), media_type=MEDIA_TYPES[form])
