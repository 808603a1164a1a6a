"""Each part of the monitor counts what its title says, for the period asked, on a small
history written through the application's commands (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from domain.commands import (
    AnswerHelpQuestion,
    AssignCoach,
    CloseCase,
    ContactWaitingFamily,
    GrantConsent,
    LeaveWaitlist,
    PlaceOnWaitlist,
    ReopenCase,
    Triage,
)
from domain.vocabulary import (
    Channel,
    ClosureReason,
    RelapseRisk,
    TriageOutcome,
    WaitlistExit,
)
from interfaces.report_formats import as_json, as_markdown
from projections.monitor import MonitorOptions, monitor
from projections.registry import OpenView, open_view, worker_for
from projections.report_period import ReportPeriod
from projections.report_table import Count, Report, Stat, Suppressed, suppress_small_cells
from tests.factories import COACH, COORDINATOR, melding, waitlist_consent

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
APRIL = ReportPeriod(date(2026, 4, 1), date(2026, 4, 30))
SPRING = ReportPeriod(date(2026, 3, 1), date(2026, 6, 30))
CLOSING = {
    "relapse_risk": RelapseRisk.LOW,
    "aftercare_by": "jgz",
    "informed_organisations": ["school-de-linde"],
}


def on(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def app(store_settings: Settings) -> Iterator[CaseApplication]:
    application = CaseApplication(store_settings, FixedClock(NOW))
    yield application
    application.close()


@pytest.fixture
def view(store_settings: Settings) -> Iterator[OpenView]:
    opened = open_view(store_settings, "report")
    yield opened
    opened.close()


def report_for(
    app: CaseApplication, view: OpenView, period: ReportPeriod, **options: Any
) -> dict[str, dict[str, Any]]:
    worker_for(app, view).catch_up()
    report = monitor(view.view, MonitorOptions(period, **options))
    return figures(report)


def figures(report: Report) -> dict[str, dict[str, Any]]:
    """Table name -> row label -> the row's cells (one value if the row has one)."""
    out: dict[str, dict[str, Any]] = {}
    for table in report.tables:
        rows = {}
        for row in table.rows:
            cells = [
                c.n if isinstance(c, Count) else c.value if isinstance(c, Stat) else c
                for c in row[1:]
            ]
            rows[str(row[0])] = cells[0] if len(cells) == 1 else cells
        out[table.name] = rows
    return out


def open_case(app: CaseApplication, at: datetime, **overrides: Any) -> UUID:
    case_id, _ = app.open_case(COORDINATOR, occurred_at=at, **melding(**overrides))
    return case_id


def test_meldingen_count_in_the_local_month_they_happened(
    app: CaseApplication, view: OpenView
) -> None:
    open_case(app, on("2026-03-31", 21), channel=Channel.FAMILY)  # 23:00 in Amsterdam: March
    open_case(app, on("2026-03-31", 22), channel=Channel.FAMILY)  # 00:00 on 1 April there
    late = open_case(app, on("2026-04-30", 21), channel=Channel.KCC)  # 23:00 on 30 April
    app.execute(
        late,
        COORDINATOR,
        Triage(outcome=TriageOutcome.CRISIS, coordination_level=5),
        occurred_at=on("2026-04-30", 21) + timedelta(minutes=5),
    )
    open_case(app, on("2026-04-30", 22))  # 00:00 on 1 May

    april = report_for(app, view, APRIL)
    spring = report_for(app, view, SPRING)

    assert april["inflow_by_channel"]["family"] == 1
    assert april["inflow_by_channel"]["kcc"] == 1
    assert april["inflow_by_channel"]["total"] == 2
    assert april["triage_outcomes"]["crisis"] == 1
    assert april["coordination_levels"]["5"] == 1
    assert spring["inflow_by_month"] == {
        "2026-03": 1,
        "2026-04": 2,
        "2026-05": 1,
        "2026-06": 0,
        "total": 4,
    }


def test_the_waitlist_counts_waits_to_a_coach_contacts_and_gaps(
    app: CaseApplication, view: OpenView
) -> None:
    waited = open_case(app, on("2026-03-02"))
    consent_waitlist(app, waited, on("2026-03-02", 11))
    app.execute(waited, COORDINATOR, PlaceOnWaitlist(priority=2), occurred_at=on("2026-03-03"))
    app.execute(waited, COORDINATOR, ContactWaitingFamily(), occurred_at=on("2026-03-13"))
    app.execute(waited, COORDINATOR, ContactWaitingFamily(), occurred_at=on("2026-03-23"))
    app.execute(
        waited,
        COORDINATOR,
        AssignCoach(coach="coach-anna", organisation="cjg-den-haag"),
        occurred_at=on("2026-04-12"),
    )  # 40 days; 20 days after the last contact
    withdrawn = open_case(app, on("2026-03-02"))
    consent_waitlist(app, withdrawn, on("2026-03-02", 11))
    app.execute(withdrawn, COORDINATOR, PlaceOnWaitlist(priority=3), occurred_at=on("2026-04-01"))
    app.execute(
        withdrawn,
        COORDINATOR,
        LeaveWaitlist(exit=WaitlistExit.WITHDRAWN),
        occurred_at=on("2026-04-08"),
    )
    still = open_case(app, on("2026-03-02"))
    consent_waitlist(app, still, on("2026-03-02", 11))
    app.execute(still, COORDINATOR, PlaceOnWaitlist(priority=1), occurred_at=on("2026-04-20"))

    waitlist = report_for(app, view, APRIL)["waitlist"]

    assert waitlist["placed on the waitlist"] == 2
    assert waitlist["left for a coach"] == 1
    assert waitlist["days from placement to coach (median)"] == Decimal(40)
    assert waitlist["left: withdrawn"] == 1
    assert waitlist["contacts while waiting, per family that left (mean)"] == Decimal("1.0")
    assert waitlist["families that left after more than 14 days without contact"] == 1
    assert waitlist["waiting at the end of the period"] == 1


def consent_waitlist(app: CaseApplication, case_id: UUID, at: datetime) -> None:
    app.execute(case_id, COORDINATOR, GrantConsent(**waitlist_consent()), occurred_at=at)


def test_closures_reopenings_returns_and_caseload(app: CaseApplication, view: OpenView) -> None:
    def coached(opened: str, coach: str = "coach-anna") -> UUID:
        case_id = open_case(app, on(opened))
        app.execute(
            case_id,
            COORDINATOR,
            AssignCoach(coach=coach, organisation="cjg-den-haag"),
            occurred_at=on(opened, 11),
        )
        return case_id

    closed = coached("2026-02-02")
    app.execute(
        closed,
        COACH,
        CloseCase(reason=ClosureReason.GOALS_REACHED, **CLOSING),
        occurred_at=on("2026-04-06"),
    )
    reopened = coached("2026-02-03")
    app.execute(
        reopened,
        COACH,
        CloseCase(reason=ClosureReason.MOVED, **CLOSING),
        occurred_at=on("2026-04-07"),
    )
    app.execute(
        reopened,
        COACH,
        ReopenCase(coach="coach-anna", help_question_id="hq-1"),
        occurred_at=on("2026-04-20"),
    )
    app.open_case(
        COORDINATOR,
        occurred_at=on("2026-04-27"),
        previous_case_id=closed,
        link_consented_by=["mother"],
        **melding(),
    )
    quiet = open_case(app, on("2025-11-02"))
    app.execute(quiet, COORDINATOR, AnswerHelpQuestion(), occurred_at=on("2025-11-03"))
    app.execute(
        quiet,
        COORDINATOR,
        CloseCase(reason=ClosureReason.INACTIVE, **CLOSING),
        occurred_at=on("2026-04-15"),
    )
    coached("2026-03-02", coach="coach-bram")

    april = report_for(app, view, APRIL, norm_per_fte=1, fte={"coach-anna": 0.5})

    assert april["closures_by_reason"]["goals_reached"] == 1
    assert april["closures_by_reason"]["moved"] == 1
    assert april["closures_by_reason"]["inactive"] == 1
    assert april["closures_by_reason"]["total"] == 3
    returns = april["closures_and_returns"]
    assert returns["reopenings"] == 1
    assert returns["new cases linked to an earlier case of the family"] == 1
    assert returns["of which within 365 days after the earlier case closed"] == 1
    # coach 1 (anna): the reopened case; coach 2 (bram): one. anna's norm is half a case.
    assert april["caseload"]["coach 1"] == [1, "0.5", Decimal("200.0"), "over"]
    assert april["caseload"]["coach 2"] == [1, "1.0", Decimal("100.0"), ""]


def test_small_cells_are_suppressed_in_every_format(app: CaseApplication, view: OpenView) -> None:
    for day in ("2026-04-06", "2026-04-07", "2026-04-08"):
        open_case(app, on(day), channel=Channel.PROFESSIONAL)
    open_case(app, on("2026-04-09"), channel=Channel.FAMILY)
    worker_for(app, view).catch_up()

    report = suppress_small_cells(monitor(view.view, MonitorOptions(APRIL)), 3)

    channels = {str(row[0]): row[1] for row in report.table("inflow_by_channel").rows}
    assert channels["professional"] == Count(3)
    assert channels["family"] == Suppressed(3)
    assert channels["kcc"] == Count(0)  # nothing to hide in an empty cell
    [inflow] = [
        t for t in json.loads(as_json(report))["tables"] if t["name"] == "inflow_by_channel"
    ]
    assert {"group": "family", "count": "<3"} in inflow["rows"]
    assert "| family | <3 |" in as_markdown(report)
    assert report.parameters["min_cell"] == 3
