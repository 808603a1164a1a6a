"""The monitor reproduces the Den Haag pilot's tables (000 §4) from an event history shaped
like it, written through the application's commands, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from projections.monitor import MonitorOptions, monitor
from projections.registry import OpenView, open_view, worker_for
from projections.report_period import ReportPeriod
from projections.report_stats import half_up
from projections.report_table import Cell, Count, Report, Stat, Table
from tests.reports.den_haag_pilot import (
    CARE_STARTS_AFTER_DAYS,
    CLOCK_AT,
    PERIOD,
    TABLE_4_1,
    TABLE_4_2,
    TABLE_4_3,
    TABLE_4_4,
    PilotWriter,
    Row,
)


@pytest.fixture
def pilot(store_settings: Settings) -> Iterator[tuple[CaseApplication, OpenView]]:
    app = CaseApplication(store_settings, FixedClock(CLOCK_AT))
    PilotWriter(app).write()
    opened = open_view(store_settings, "report")
    worker_for(app, opened).catch_up()
    yield app, opened
    opened.close()
    app.close()


@pytest.fixture
def report(pilot: tuple[CaseApplication, OpenView]) -> Report:
    period = ReportPeriod(*PERIOD)
    return monitor(pilot[1].view, MonitorOptions(period, municipality="den-haag"))


def value(cell: Cell) -> Decimal | int | None:
    if isinstance(cell, Count):
        return cell.n
    assert isinstance(cell, Stat), cell
    return cell.value


def rows_of(table: Table) -> dict[str, dict[str, Decimal | int | None]]:
    ids = [column for column, _ in table.columns[1:]]
    return {str(row[0]): dict(zip(ids, map(value, row[1:]), strict=True)) for row in table.rows}


def whole(figure: Decimal | int | None) -> int | None:
    """As the pilot's table prints minutes: whole minutes, half up."""
    return None if figure is None else int(half_up(Decimal(figure), Decimal(1)))


def as_printed(row: dict[str, Decimal | int | None]) -> Row:
    no_records = row["conversations"] is None  # the pilot's "?": not recorded, not 0
    return (
        int(row["cases"] or 0),
        None if no_records else int(row["conversations"] or 0),
        int(whole(row["minutes"]) or 0),
        None if no_records else int(row["conversations_per_case_max"] or 0),
        None if no_records else int(row["conversations_per_case_min"] or 0),
        None if no_records else f"{Decimal(row['conversations_per_case_mean'] or 0).normalize()}",
        int(whole(row["minutes_per_case_max"]) or 0),
        int(whole(row["minutes_per_case_min"]) or 0),
        int(whole(row["minutes_per_case_mean"]) or 0),
    )


def test_the_totals_of_tables_4_1_and_4_2(report: Report) -> None:
    spent = rows_of(report.table("time_spent"))
    figures = {label: (row["all"], row["without_outliers"]) for label, row in spent.items()}
    assert figures["cases with time spent"] == (58, 56)
    assert figures["cases with conversation records"] == (47, 45)
    assert figures["cases with time registered afterwards only"] == (11, 11)
    assert figures["conversations"] == (175, 127)
    assert figures["minutes in all"] == (Decimal(13152), Decimal(9929))
    assert figures["conversations per case (mean)"] == (Decimal("3.7"), Decimal("2.8"))
    mean_minutes = figures["minutes per case (mean)"]
    assert (whole(mean_minutes[0]), whole(mean_minutes[1])) == (227, 177)
    assert figures["minutes registered afterwards"][0] == Decimal(3330) + Decimal("0.25")


def test_the_per_coach_rows_of_table_4_1(report: Report) -> None:
    rows = rows_of(report.table("time_per_coach"))
    assert {coach: as_printed(row) for coach, row in rows.items()} == TABLE_4_1


def test_the_per_coach_rows_of_table_4_2_without_the_outliers(report: Report) -> None:
    rows = rows_of(report.table("time_per_coach_without_outliers"))
    assert {coach: as_printed(row) for coach, row in rows.items()} == TABLE_4_2


def test_the_two_outlier_cases_are_named_by_pseudonym(report: Report) -> None:
    outliers = report.table("outlier_cases")
    named = [(row[0], row[1], value(row[2]), value(row[3])) for row in outliers.rows]
    assert named == [
        ("case A", "coach 1", 27, Decimal(2145)),
        ("case B", "coach 9", 21, Decimal(1078)),
    ]


def test_table_4_4_referral_entries_by_destination(report: Report) -> None:
    rows = rows_of(report.table("referrals_by_destination"))
    assert {d: rows[d.value]["entries"] for d in TABLE_4_4} == TABLE_4_4
    assert rows["total"]["entries"] == 61
    assert rows["total"]["cases"] == 58  # a case can have several
    assert rows["jeugdteam"]["care_started"] == 13


def test_waiting_days_from_request_to_care_start(report: Report) -> None:
    waits = rows_of(report.table("referral_waiting_days"))["jeugdteam"]
    days = sorted(CARE_STARTS_AFTER_DAYS)
    assert waits["started"] == 13
    assert waits["median_days"] == Decimal(days[6])
    assert waits["p90_days"] == Decimal(days[11])  # nearest rank: the 12th of 13
    assert rows_of(report.table("referral_waiting_days"))["total"]["waiting"] == 48


def test_table_4_3_problem_categories(report: Report) -> None:
    rows = rows_of(report.table("problem_categories"))
    found = {c: (rows[c.value]["parents"], rows[c.value]["children"]) for c in TABLE_4_3}
    assert found == TABLE_4_3
