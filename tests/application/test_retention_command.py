"""`gezinsregie retention run`: prints what it destroyed and what a legal hold kept, and
a second run does nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import load_settings
from domain.commands import CloseCase, PlaceLegalHold
from domain.personal_data import ERASED
from domain.vocabulary import ClosureReason, RelapseRisk
from interfaces.cli import cli
from tests.factories import COORDINATOR, melding
from tests.factories import family as family_of

CARE_ENDED = datetime(2005, 3, 1, 10, 0, tzinfo=UTC)


def closed_long_ago(app: CaseApplication) -> UUID:
    opened = CARE_ENDED - timedelta(days=60)
    family = melding(members=family_of(child_born=date(1998, 3, 1)))
    case_id, _ = app.open_case(COORDINATOR, occurred_at=opened, **family)
    app.execute(
        case_id,
        COORDINATOR,
        CloseCase(
            reason=ClosureReason.GOALS_REACHED,
            relapse_risk=RelapseRisk.LOW,
            aftercare_by="",
            informed_organisations=[],
        ),
        occurred_at=CARE_ENDED,
    )
    return case_id


def test_the_command_destroys_what_is_due_reports_a_hold_and_a_second_run_does_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GEZINSREGIE_STORE", "sqlite")
    app = CaseApplication(load_settings(), FixedClock(CARE_ENDED + timedelta(days=1)))
    due, held = closed_long_ago(app), closed_long_ago(app)
    app.execute(held, COORDINATOR, PlaceLegalHold(reason="procedure bij de rechtbank"))
    app.close()

    first = CliRunner().invoke(cli, ["retention", "run"])
    second = CliRunner().invoke(cli, ["retention", "run"])

    assert first.exit_code == 0, first.output
    assert f"{due}: destroyed (retention period, due 2025-03-01)" in first.output
    assert f"{held}: HELD, not destroyed" in first.output
    assert "1 destroyed, 1 held by a legal hold, 0 failed" in first.output
    assert "0 destroyed, 1 held by a legal hold, 0 failed" in second.output
    app = CaseApplication(load_settings(), FixedClock(datetime.now(UTC)))
    try:
        assert app.get_case(due).help_question == ERASED
        assert app.get_case(held).help_question != ERASED
    finally:
        app.close()
