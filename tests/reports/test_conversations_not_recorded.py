"""Time registered without any conversation records (coach 5 of the Den Haag pilot, whose
conversations could not be recovered: the pilot prints '?') leaves the conversations not
recorded in every format, never 0; a coach with conversation records keeps the count."""

from __future__ import annotations

import csv
import io
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
from domain.commands import AssignCoach, HoldConversation, RegisterTime
from domain.provenance import Actor
from domain.vocabulary import ConversationKind
from interfaces.report_formats import as_csv, as_json, as_markdown
from projections.monitor import MonitorOptions, monitor
from projections.registry import open_view, worker_for
from projections.report_period import ReportPeriod
from projections.report_table import Count, Report, Stat
from tests.factories import COORDINATOR, melding

SPRING = ReportPeriod(date(2026, 3, 1), date(2026, 6, 30))
TALKING, RECONSTRUCTING = "coach-anna", "coach-bram"
"""coach 1 records two conversations; coach 2 only registers time afterwards."""


def on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def coached(app: CaseApplication, day: str, coach: str, team: str) -> tuple[UUID, Actor]:
    case_id, _ = app.open_case(COORDINATOR, occurred_at=on(day), **melding(team=team))
    app.execute(
        case_id,
        COORDINATOR,
        AssignCoach(coach=coach, organisation="cjg"),
        occurred_at=on(day) + timedelta(hours=1),
    )
    return case_id, Actor(coach, "cjg", "coach")


@pytest.fixture
def app(store_settings: Settings) -> Iterator[CaseApplication]:
    application = CaseApplication(store_settings, FixedClock(on("2026-12-01")))
    talked, anna = coached(application, "2026-03-02", TALKING, "team-centrum")
    for number in range(2):
        application.execute(
            talked,
            anna,
            HoldConversation(
                conversation_id=f"c{number}",
                kind=ConversationKind.HOME_VISIT,
                minutes=Decimal(45),
                writing_minutes=Decimal(15),
                participants=["mother"],
                notes="Verslag",
            ),
            occurred_at=on("2026-03-10") + timedelta(days=number),
        )
    reconstructed, bram = coached(application, "2026-03-03", RECONSTRUCTING, "team-noord")
    application.execute(
        reconstructed,
        bram,
        RegisterTime(minutes=Decimal("270.5"), writing_minutes=Decimal(30)),
        occurred_at=on("2026-05-04"),
    )
    yield application
    application.close()


def report_of(app: CaseApplication, **place: Any) -> Report:
    opened = open_view(app.settings, "report")
    try:
        worker_for(app, opened).catch_up()
        return monitor(opened.view, MonitorOptions(SPRING, **place))
    finally:
        opened.close()


def json_rows(report: Report, table: str) -> list[dict[str, Any]]:
    [found] = [t for t in json.loads(as_json(report))["tables"] if t["name"] == table]
    return list(found["rows"])


def csv_value(report: Report, table: str, row: str, column: str) -> str:
    [value] = [
        line["value"]
        for line in csv.DictReader(io.StringIO(as_csv(report)))
        if (line["table"], line["row"], line["column"]) == (table, row, column)
    ]
    return value


def test_time_registered_without_conversation_records_is_not_recorded_not_zero(
    app: CaseApplication,
) -> None:
    report = report_of(app)

    per_coach = {str(row[0]): row for row in report.table("time_per_coach").rows}
    assert per_coach["coach 2"][1:3] == (Count(1), Stat(None, 0))
    coaches = {row["coach"]: row for row in json_rows(report, "time_per_coach")}
    assert coaches["coach 2"]["conversations"] is None
    assert coaches["coach 2"]["minutes"] == 300.5  # the time itself counts
    assert csv_value(report, "time_per_coach", "coach 2", "conversations") == "-"
    assert "| coach 2 | 1 | - | 300.5 | - | - | - |" in as_markdown(report)
    assert "'-' for conversations: not recorded" in as_markdown(report)
    assert coaches["coach 1"]["conversations"] == 2  # real records keep their count
    assert csv_value(report, "time_per_coach", "coach 1", "conversations") == "2"
    assert "| coach 1 | 1 | 2 | 120 |" in as_markdown(report)
    assert coaches["total"]["conversations"] == 2


def test_a_team_that_recorded_no_conversation_shows_its_conversations_as_not_recorded(
    app: CaseApplication,
) -> None:
    report = report_of(app, team="team-noord")

    spent = {row["measure"]: row["all"] for row in json_rows(report, "time_spent")}
    assert spent["conversations"] is None
    assert spent["minutes in conversations"] is None
    assert spent["minutes registered afterwards"] == 300.5
    kinds = {
        row["kind"]: row["conversations"] for row in json_rows(report, "conversations_by_kind")
    }
    assert set(kinds.values()) == {None}
    assert csv_value(report, "time_spent", "conversations", "all") == "-"
