"""A served app tunes the garbage collector for its lifetime, and undoes it when it stops;
an app built for tests leaves the collector alone."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from uvicorn.importer import import_from_string

from application.clock import FixedClock
from application.settings import Settings
from interfaces.cli import cli
from interfaces.http.app import create_app
from interfaces.http.collector import SERVED_THRESHOLDS
from tests.http.case_api import COORDINATOR, Api
from tests.http.conftest import Headers


def test_a_served_app_freezes_what_it_holds_and_collects_less_often_until_it_stops(
    api_settings: Settings, clock: FixedClock, auth: Headers
) -> None:
    before = gc.get_threshold()
    assert before != SERVED_THRESHOLDS
    with TestClient(create_app(api_settings, clock, tuned_collector=True)) as client:
        serving = gc.get_threshold(), gc.get_freeze_count()
        case_id = Api(client, auth).open_case(COORDINATOR)  # it still answers
    after = gc.get_threshold(), gc.get_freeze_count()

    assert case_id
    assert serving[0] == SERVED_THRESHOLDS
    assert serving[1] > 10_000, "the objects held at start-up are frozen"
    assert after == (before, 0)


def test_an_app_built_without_it_leaves_the_collector_alone(
    api_settings: Settings, clock: FixedClock
) -> None:
    before = gc.get_threshold()
    with TestClient(create_app(api_settings, clock)):
        serving = gc.get_threshold(), gc.get_freeze_count()
    assert serving == (before, 0)


def test_gezinsregie_serve_runs_the_app_with_the_collector_tuned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` hands uvicorn a factory by name: it must name the served app."""
    monkeypatch.setenv("GEZINSREGIE_STORE", "sqlite")
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    handed: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: handed.update(app=app, **options))

    result = CliRunner().invoke(cli, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert handed["factory"] is True
    with TestClient(import_from_string(handed["app"])()) as client:
        served = gc.get_threshold()
        assert client.get("/health").status_code == 200

    assert served == SERVED_THRESHOLDS
