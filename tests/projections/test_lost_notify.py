"""A live view on PostgreSQL does not wait for the next event when a NOTIFY was lost.

The library's subscription reads what is recorded, then starts listening in a thread of its
own: an event recorded in between notifies no one, and without a watch the view would stay
behind until another event came. Here the case store's insert function is replaced by one
that never notifies, so every event after the first is such an event."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from application.cases import CaseApplication
from application.persistence import postgres_conninfo
from application.settings import Settings
from projections.registry import open_view, worker_for
from tests.factories import COORDINATOR, melding

pytestmark = pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
WAIT = 10.0  # seconds: the watch notices a stall within about one


def without_notify(app: CaseApplication, settings: Settings) -> None:
    """Re-create the case store's insert function without its NOTIFY."""
    function = next(
        s.as_string() for s in app.recorder.sql_create_statements if "_insert_locked" in str(s)
    )
    silent = function.replace(f"NOTIFY {app.recorder.channel_name}; ", "")
    silent = silent.replace(f'NOTIFY "{app.recorder.channel_name}"; ', "")
    assert "NOTIFY" not in silent
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        connection.execute(silent.encode())


def wait_for(view_position: Callable[[], int], position: int) -> int:
    """The view's position once it reaches `position`, or when `WAIT` is over."""
    deadline = time.monotonic() + WAIT
    current = view_position()
    while current < position and time.monotonic() < deadline:
        time.sleep(0.05)
        current = view_position()
    return current


def test_a_view_catches_up_with_events_whose_notify_was_lost(
    app: CaseApplication, store_settings: Settings
) -> None:
    opened = open_view(store_settings, "waitlist")
    worker = worker_for(app, opened)
    running = threading.Thread(target=worker.run, daemon=True)
    running.start()
    try:
        _, notified = app.open_case(COORDINATOR, **melding())
        assert wait_for(lambda: worker.position, notified) == notified
        without_notify(app, store_settings)
        for _ in range(2):
            _, silent = app.open_case(COORDINATOR, **melding())
            assert wait_for(lambda: worker.position, silent) == silent
    finally:
        worker.stop()
        running.join(timeout=WAIT)
        opened.close()
    assert not running.is_alive()
