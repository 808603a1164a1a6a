"""A served app tunes the garbage collector for its lifetime, and undoes it when it stops;
an app built for tests leaves the collector alone."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from application.clock import FixedClock
from application.settings import Settings
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
