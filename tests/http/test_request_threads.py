"""The case routes are `async def`: their reads and saves of the store must still run in
the app's request threads, never on the event loop, and the threads end with the app."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from application.clock import FixedClock
from application.settings import Settings
from interfaces.http.app import create_app
from tests.conftest import NOW
from tests.http.case_api import COORDINATOR, Api
from tests.http.conftest import Headers


class ThreadNoting(FixedClock):
    """A fixed clock that notes the thread of every caller: the application asks the
    time for every event it records."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self.threads: list[str] = []

    def now(self) -> datetime:
        self.threads.append(threading.current_thread().name)
        return super().now()


def test_commands_and_openings_record_their_events_in_request_threads(
    api_settings: Settings, auth: Headers
) -> None:
    clock = ThreadNoting(NOW)
    with TestClient(create_app(api_settings, clock)) as client:
        api = Api(client, auth)
        clock.threads.clear()
        case_id = api.open_case(COORDINATOR)
        api.do(COORDINATOR, case_id, "/triage", {"outcome": "single", "coordination_level": 1})
        opened_and_triaged = list(clock.threads)
        threads = client.app.state.request_threads  # type: ignore[attr-defined]

    assert opened_and_triaged, "the application asked the clock nothing"
    assert all(name.startswith("request") for name in opened_and_triaged), opened_and_triaged
    with pytest.raises(RuntimeError, match="shutdown"):
        threads.submit(print)
