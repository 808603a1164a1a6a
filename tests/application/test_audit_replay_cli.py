"""`gezinsregie audit replay` prints a readable timeline, up to a moment if asked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import SystemClock
from application.settings import load_settings
from domain.commands import AssignCoach, Triage
from domain.vocabulary import TriageOutcome
from interfaces.cli import cli
from tests.factories import COACH, COORDINATOR, melding

OPERATOR = ["--actor", "ops-anne"]


def test_the_replay_lists_events_up_to_the_moment_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    app = CaseApplication(load_settings(), SystemClock())
    opened = datetime.now(UTC) - timedelta(days=30)
    case_id, _ = app.open_case(COORDINATOR, occurred_at=opened, **melding())
    app.execute(
        case_id,
        COORDINATOR,
        Triage(outcome=TriageOutcome.COMPLEX, coordination_level=4),
        occurred_at=opened + timedelta(days=1),
    )
    app.execute(
        case_id,
        COORDINATOR,
        AssignCoach(coach=COACH.subject, organisation=COACH.organisation),
        occurred_at=opened + timedelta(days=3),
    )
    app.close()

    everything = CliRunner().invoke(cli, ["audit", "replay", str(case_id), *OPERATOR])
    early = (opened + timedelta(days=2)).isoformat()
    until_triage = CliRunner().invoke(
        cli,
        ["audit", "replay", str(case_id), "--as-of", early, "--mode", "occurred", *OPERATOR],
    )

    assert everything.exit_code == 0, everything.output
    assert "3 events" in everything.output
    assert "coach-assigned" in everything.output and "coordinator-1" in everything.output
    assert "2 events" in until_triage.output and "coach-assigned" not in until_triage.output


def test_an_unknown_case_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    CaseApplication(load_settings(), SystemClock()).close()  # an (empty) store
    result = CliRunner().invoke(cli, ["audit", "replay", str(uuid4()), *OPERATOR])
    assert result.exit_code == 1
    assert "there is no case" in result.output


def test_inspect_writes_the_table_as_json_csv_and_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    app = CaseApplication(load_settings(), SystemClock())
    opened = datetime.now(UTC) - timedelta(days=30)
    for municipality in ("den-haag", "delft"):
        app.open_case(COORDINATOR, occurred_at=opened, **melding(municipality=municipality))
    app.close()
    runner = CliRunner()
    for fmt in ("json", "csv", "html"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            cli, ["audit", "inspect", "--municipality", "delft", "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert "1 cases inspected" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["cases"] == 1
    assert len(report["indicators"]) == 33
    t2 = next(i for i in report["indicators"] if i["code"] == "T2")
    assert t2["voldoet"] == 1
    csv_lines = (tmp_path / "report.csv").read_text().splitlines()
    assert csv_lines[0] == "code,theme,rule,voldoet,verbeterpunt,niet te beoordelen"
    assert len(csv_lines) == 34
    html = (tmp_path / "report.html").read_text()
    assert "<table>" in html and "Per casus" in html and "T2" in html


def test_inspect_refuses_a_municipality_without_cases_and_a_reversed_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo must not read as "0 cases, all fine"."""
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    app = CaseApplication(load_settings(), SystemClock())
    opened = datetime.now(UTC) - timedelta(days=30)
    app.open_case(COORDINATOR, occurred_at=opened, **melding(municipality="den-haag"))
    app.close()
    runner = CliRunner()

    typo = runner.invoke(cli, ["audit", "inspect", "--municipality", "amsterdam"])
    reversed_period = runner.invoke(
        cli, ["audit", "inspect", "--closed-from", "2026-06-01", "--closed-to", "2026-01-01"]
    )

    assert typo.exit_code == 2
    assert "no case of municipality 'amsterdam'; there are: den-haag" in typo.output
    assert reversed_period.exit_code == 2
    assert "the period ends (2026-01-01) before it starts" in reversed_period.output
