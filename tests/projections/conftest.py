"""The case application and both views for the projection tests, on the test's fresh store,
each keeping few PostgreSQL connections open (see `support.lean`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from projections.registry import OpenView
from tests.projections.support import close_views, lean, open_views


@pytest.fixture
def app(store_settings: Settings, clock: FixedClock) -> Iterator[CaseApplication]:
    application = CaseApplication(lean(store_settings), clock)
    yield application
    application.close()


@pytest.fixture
def views(store_settings: Settings) -> Iterator[dict[str, OpenView]]:
    """Both projections' views (`overview`, `waitlist`) on the test's fresh store."""
    opened = open_views(store_settings)
    yield opened
    close_views(opened)
