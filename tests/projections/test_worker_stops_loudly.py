"""A projection that meets a bug stops, and says so: the error is kept for the API (which
answers a read waiting for that view at once) and logged as CRITICAL with its position.
An outage is not a bug: that is waited out (tests/http/test_database_outage.py)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from application.cases import CaseApplication
from domain.events_intake import CaseTriaged
from projections.overview import OverviewProjection
from projections.projection import RowBatch
from projections.registry import OpenView
from projections.runner import ProjectionError, ProjectionWorker
from tests.projections.support import Family


class BuggyOverview(OverviewProjection):
    """The overview, with a bug in its triage handler."""

    def handler_for(self, event_class: type[Any]) -> Any:
        if event_class is CaseTriaged:
            return self.fail
        return super().handler_for(event_class)

    def fail(self, event: Any, rows: RowBatch) -> None:
        raise ZeroDivisionError("a bug in a handler")


def test_a_bug_stops_the_worker_loudly_at_the_event_before_it(
    app: CaseApplication, views: dict[str, OpenView], caplog: pytest.LogCaptureFixture
) -> None:
    family = Family.open(app)
    opened_at = app.position()
    family.triage(1)
    worker = ProjectionWorker(app, BuggyOverview(), views["overview"].view)
    runner = threading.Thread(target=worker.run)
    with caplog.at_level(logging.CRITICAL, logger="gezinsregie.projections"):
        runner.start()
        runner.join(timeout=30)
    assert not runner.is_alive(), "the worker went on after a bug"
    assert isinstance(worker.failure, ProjectionError)
    assert isinstance(worker.failure.__cause__, ZeroDivisionError)
    assert "failed on CaseTriaged at position" in str(worker.failure)
    assert worker.position < app.position()  # nothing of the failing batch was applied
    assert worker.position in (0, opened_at)
    [record] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "projection overview stopped at position" in record.getMessage()
