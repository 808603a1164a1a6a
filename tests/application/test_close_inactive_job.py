"""The close-inactive job closes exactly the cases due, prints them, and is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import FixedClock, SystemClock
from application.inactivity import close_inactive_cases
from application.settings import Settings, load_settings
from domain.commands import AnswerHelpQuestion, AssignCoach, EndCoaching
from domain.vocabulary import ClosureReason
from interfaces.cli import cli
from interfaces.view_catch_up import view_up_to_date
from projections.closure_candidates import closure_candidates
from tests.factories import COACH, COORDINATOR, melding


def open_case_on(app: CaseApplication, opened: datetime, *, answered: bool) -> UUID:
    case_id, _ = app.open_case(COORDINATOR, occurred_at=opened, **melding())
    if answered:
        app.execute(
            case_id, COORDINATOR, AnswerHelpQuestion(), occurred_at=opened + timedelta(days=1)
        )
    return case_id


def coached_case_on(app: CaseApplication, opened: datetime) -> UUID:
    """A case with a coach from two days after it opened: active help, never due."""
    case_id = open_case_on(app, opened, answered=True)
    coach = AssignCoach(coach="coach-anna", organisation="cjg-den-haag")
    app.execute(case_id, COACH, coach, occurred_at=opened + timedelta(days=2))
    return case_id


def test_the_job_closes_only_cases_inactive_for_the_period(
    app: CaseApplication, clock: FixedClock
) -> None:
    start = clock.now() - timedelta(days=200)
    quiet = open_case_on(app, start, answered=True)
    still_asking = open_case_on(app, start, answered=False)
    recently_quiet = open_case_on(app, clock.now() - timedelta(days=30), answered=True)
    coached = coached_case_on(app, start)

    closed = close_inactive_cases(app, clock.now())

    assert [item.case_id for item in closed] == [quiet]
    assert app.get_case(quiet).closure_reason is ClosureReason.INACTIVE
    assert app.get_case(quiet).closed_at == clock.now()
    for open_id in (still_asking, recently_quiet, coached):
        assert not app.get_case(open_id).is_closed
    assert close_inactive_cases(app, clock.now()) == []


def test_the_job_uses_each_municipalitys_period(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 6, 1, tzinfo=UTC))
    settings = load_settings(
        data_dir=tmp_path, periods_by_municipality={"rijswijk": {"inactivity_days": 30}}
    )
    app = CaseApplication(settings, clock)
    try:
        opened = clock.now() - timedelta(days=45)
        den_haag = open_case_on(app, opened, answered=True)
        case_id, _ = app.open_case(
            COORDINATOR, occurred_at=opened, **melding(municipality="rijswijk")
        )
        app.execute(
            case_id, COORDINATOR, AnswerHelpQuestion(), occurred_at=opened + timedelta(days=1)
        )
        assert [c.case_id for c in close_inactive_cases(app, clock.now())] == [case_id]
        assert not app.get_case(den_haag).is_closed
    finally:
        app.close()


def test_the_command_prints_what_it_closed_and_a_second_run_closes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GEZINSREGIE_STORE", "sqlite")
    app = CaseApplication(load_settings(), SystemClock())
    quiet = open_case_on(app, datetime.now(UTC) - timedelta(days=300), answered=True)
    app.close()
    as_of = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%d")

    first = CliRunner().invoke(cli, ["close-inactive", "--as-of", as_of])
    second = CliRunner().invoke(cli, ["close-inactive", "--as-of", as_of])

    assert first.exit_code == 0, first.output
    assert f"closed {quiet}" in first.output
    assert "1 case(s) closed as inactive" in first.output
    assert second.exit_code == 0
    assert "0 case(s) closed as inactive" in second.output


def test_the_command_refuses_a_date_in_the_future(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    CaseApplication(load_settings(), SystemClock()).close()  # an (empty) store
    result = CliRunner().invoke(cli, ["close-inactive", "--as-of", "2999-01-01"])
    assert result.exit_code == 2
    assert "future" in result.output


def test_a_command_run_where_there_is_no_store_says_so_and_makes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from another directory, it would otherwise answer from a new empty store (and
    `token` sign with a new secret the server does not know)."""
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path / "elsewhere"))
    for command in (
        ["cases"],
        ["close-inactive"],
        ["token", "--sub", "s", "--org", "o", "--role", "admin"],
    ):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, (command, result.output)
        assert "no store in" in result.output and "GEZINSREGIE_DATA_DIR" in result.output
    assert not (tmp_path / "elsewhere").exists()
    demo = CliRunner().invoke(cli, ["demo", "--cases", "2"])
    assert demo.exit_code == 0, demo.output
    assert CliRunner().invoke(cli, ["cases"]).exit_code == 0


def test_a_command_says_which_store_it_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path / "here"))
    CaseApplication(load_settings(), SystemClock()).close()  # an (empty) store
    result = CliRunner().invoke(cli, ["close-inactive"])
    assert result.exit_code == 0, result.output
    assert f"store: SQLite in {(tmp_path / 'here').resolve()}" in result.stderr
    assert "store:" not in result.stdout  # what a script reads stays as it was


def test_the_overview_names_every_case_the_job_would_close(
    app: CaseApplication, clock: FixedClock, store_settings: Settings
) -> None:
    """The job reads only the overview's candidates: none that is due may be missing."""
    start = clock.now() - timedelta(days=200)
    quiet = open_case_on(app, start, answered=True)
    open_case_on(app, start, answered=False)
    open_case_on(app, clock.now() - timedelta(days=30), answered=True)
    coached_case_on(app, start)
    coaching_ended = coached_case_on(app, start)
    app.execute(
        coaching_ended,
        COACH,
        EndCoaching(reason="doelen bereikt"),
        occurred_at=start + timedelta(days=3),
    )
    with view_up_to_date(store_settings, app, "overview") as overview:
        candidates = closure_candidates(
            overview.view,
            clock.now(),
            store_settings.periods_for,
            store_settings.shortest_inactivity_days,
        )
    due = {
        case_id
        for case_id in app.case_ids()
        if app.get_case(case_id).is_due_for_closure(
            app.periods_for(app.get_case(case_id)), clock.now()
        )
    }

    assert due == {quiet, coaching_ended}
    assert set(candidates) == due
    closed = close_inactive_cases(app, clock.now(), candidates)
    assert {item.case_id for item in closed} == due
