"""Several API processes starting at once on one PostgreSQL schema: table creation is
serialised, so none of them fails on another's half-created tables."""

from __future__ import annotations

import threading

import pytest

from application.cases import CaseApplication
from application.clock import FixedClock
from application.persistence import setup_lock
from application.settings import Settings
from projections.registry import PROJECTIONS, open_view


@pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
def test_four_starts_at_once_all_succeed(store_settings: Settings, clock: FixedClock) -> None:
    settings = store_settings.model_copy(update={"postgres_pool_size": 2})
    failures: list[BaseException] = []
    ready = threading.Barrier(4)

    def start() -> None:
        ready.wait()
        try:
            with setup_lock(settings):
                cases = CaseApplication(settings, clock)
                views = [open_view(settings, name) for name in PROJECTIONS]
            for opened in views:
                assert opened.view.position(cases.name) == 0
                opened.close()
            cases.close()
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
