"""`gezinsregie report monitor` writes the same bytes for the same events, also after the
report view is rebuilt from scratch, and nothing personal in any file it writes."""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import FixedClock, SystemClock
from application.settings import Settings, load_settings
from interfaces.cli import cli
from tests.conftest import store_env
from tests.reports.den_haag_pilot import CLOCK_AT, PERIOD, PilotWriter

MARK = "Zq9Mark"
MONITOR = ["report", "monitor", "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat()]
FILES = ("monitor.md", "monitor.csv", "monitor.json")
CHARTS = ("inflow_per_month.png", "waiting_days.png", "referrals_by_destination.png")


def use_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the command line at the test's store, as an operator would by environment."""
    for name, value in store_env(settings).items():
        monkeypatch.setenv(name, value)


def write_marked_pilot(settings: Settings) -> list[str]:
    """The pilot, with a unique marker in every personal field; answers the case ids."""
    numbers = count()
    app = CaseApplication(settings, FixedClock(CLOCK_AT))
    try:
        ids = PilotWriter(app, marker=lambda text: f"{MARK}{next(numbers)}-{text}").write()
    finally:
        app.close()
    return [str(case_id) for case_id in ids]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_two_runs_and_a_rebuild_give_byte_identical_files(
    store_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_store(store_settings, monkeypatch)
    write_marked_pilot(store_settings)

    run(*MONITOR, "--out", str(tmp_path / "first"))
    run(*MONITOR, "--out", str(tmp_path / "second"))
    run("projections", "rebuild", "report")
    run(*MONITOR, "--out", str(tmp_path / "rebuilt"))

    for name in FILES:
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes(), name
        assert first == (tmp_path / "rebuilt" / name).read_bytes(), name
    spent = next(
        t
        for t in json.loads((tmp_path / "first" / "monitor.json").read_text())["tables"]
        if t["name"] == "time_spent"
    )
    assert {"measure": "minutes in all", "all": 13152, "without_outliers": 9929} in spent["rows"]


def test_no_output_file_carries_personal_data_or_case_ids(
    store_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_store(store_settings, monkeypatch)
    case_ids = write_marked_pilot(store_settings)

    run(*MONITOR, "--out", str(tmp_path))
    printed = {form: run(*MONITOR, "--format", form) for form in ("md", "csv", "json")}

    written = {name: (tmp_path / name).read_bytes() for name in (*FILES, *CHARTS)}
    assert all(data.startswith(b"\x89PNG") for name, data in written.items() if name in CHARTS)
    for name, data in [*written.items(), *((f, t.encode()) for f, t in printed.items())]:
        assert MARK.encode() not in data, name
        assert not [c for c in case_ids if c.encode() in data], name
    assert "coach 1" in printed["md"]  # coaches appear by pseudonym only


def test_a_period_that_ends_before_it_starts_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    CaseApplication(load_settings(), SystemClock()).close()  # an (empty) store
    result = CliRunner().invoke(
        cli, ["report", "monitor", "--from", "2026-02-01", "--to", "2026-01-31"]
    )
    assert result.exit_code == 2
    assert "ends before it starts" in result.output


def test_bringing_a_far_behind_view_up_to_date_shows_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("interfaces.view_catch_up.PROGRESS_FROM", 1)
    settings = load_settings()
    app = CaseApplication(settings, FixedClock(CLOCK_AT))
    PilotWriter(app).write()
    events = app.position()
    app.close()

    result = CliRunner().invoke(cli, [*MONITOR, "--format", "csv"])

    assert result.exit_code == 0, result.output
    assert "report view" in result.output
    assert f"{events}/{events}" in result.output
