"""A rebuild side by side, on both stores: while the API serves (its own workers keeping
the views current) and cases keep being opened, `rebuild` (as `gezinsregie projections
rebuild` runs it, from another application) builds the view anew beside the live one and
swaps it in. Readers with `?position=` always answer 200 within the timeout and never see
fewer cases than were opened by their position; the live worker follows the swap by itself;
afterwards the view equals a full rebuild; an interrupted rebuild leaves the live view be."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from projections.registry import open_view, worker_for
from tests.factories import COORDINATOR, melding
from tests.http.case_api import Api
from tests.http.conftest import COORDINATOR_USER, Headers
from tests.http.privacy_world import in_process
from tests.projections.support import all_rows, lean

BEFORE = 40
"""Cases opened before the rebuild starts."""


@pytest.fixture(params=["serve", "projections run"])
def api_settings(request: pytest.FixtureRequest, store_settings: Settings) -> Settings:
    """The live views kept by the API's own workers (`serve`), or by a worker of their own
    (as `gezinsregie projections run` keeps them, here in a thread)."""
    settings = in_process(store_settings)
    if request.param == "projections run":
        settings = settings.model_copy(update={"projections_in_process": False})
    return settings


@pytest.fixture(autouse=True)
def separate_workers(api_settings: Settings, clock: FixedClock) -> Iterator[None]:
    """Without workers in the API: one per view, as `projections run` runs them."""
    if api_settings.runs_projections_in_process:
        yield
        return
    cases = CaseApplication(lean(api_settings), clock)
    views = [open_view(lean(api_settings), name) for name in ("overview", "waitlist")]
    workers = [worker_for(cases, view) for view in views]
    threads = [threading.Thread(target=w.run) for w in workers]
    for thread in threads:
        thread.start()
    yield
    for worker in workers:
        worker.stop()
    for thread in threads:
        thread.join()
    assert all(w.failure is None for w in workers), [w.failure for w in workers]
    for view in views:
        view.close()
    cases.close()


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Iterator[Api]:
    yield Api(client, auth)


def open_cases(cases: CaseApplication, count: int) -> list[tuple[UUID, int]]:
    return [cases.open_case(COORDINATOR, **melding(team="centrum")) for _ in range(count)]


def whole_overview(
    client: TestClient, headers: dict[str, str], position: int
) -> list[dict[str, Any]]:
    """Every page of the overview (500 to a page) as read at `position`."""
    response = client.get(
        "/v1/overview", params={"position": position, "limit": 500}, headers=headers
    )
    cases: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        cases += response.json()["cases"]
        if response.json()["next"] is None:
            return cases
        response = client.get(response.json()["next"], headers=headers)


def test_a_rebuild_beside_the_live_view_never_shows_readers_a_partial_view(
    api: Api, client: TestClient, api_settings: Settings, clock: FixedClock
) -> None:
    serving: CaseApplication = client.app.state.cases  # type: ignore[attr-defined]
    opened = open_cases(serving, BEFORE)
    headers = api.headers(COORDINATOR_USER)
    rebuilding, writing_done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def rebuild() -> None:
        cases = CaseApplication(lean(api_settings), clock)
        view = open_view(lean(api_settings), "overview")
        try:
            rebuilding.set()
            worker_for(cases, view).rebuild(batch_size=7)  # slow: many small batches
        except BaseException as error:
            failures.append(error)
        finally:
            view.close()
            cases.close()

    def write() -> None:
        try:
            while not writing_done.is_set():
                opened.extend(open_cases(serving, 1))
        except BaseException as error:
            failures.append(error)

    builder, writer = threading.Thread(target=rebuild), threading.Thread(target=write)
    builder.start()
    rebuilding.wait()
    writer.start()
    reads = 0
    while builder.is_alive() or reads < 5:
        known = list(opened)
        position = max(p for _, p in known)
        shown = {c["case_id"] for c in whole_overview(client, headers, position)}
        missing = {str(case_id) for case_id, p in known if p <= position} - shown
        assert not missing, f"a reader at {position} missed {len(missing)} cases"
        reads += 1
    writing_done.set()
    writer.join()
    builder.join()
    assert not failures, failures

    final = max(p for _, p in opened)
    assert len(whole_overview(client, headers, final)) == len(opened)
    health = client.get("/health").json()
    assert health["views"]["overview"]["state"] == "live"
    assert health["views"]["overview"]["lag"] >= 0

    live = open_view(lean(api_settings), "overview")
    try:
        rows = all_rows(live)
        worker_for(serving, live).rebuild()
        assert all_rows(live) == rows  # the view the live worker kept equals a full rebuild
    finally:
        live.close()


def test_an_interrupted_rebuild_leaves_the_live_view_serving(
    api: Api, client: TestClient, api_settings: Settings, clock: FixedClock
) -> None:
    serving: CaseApplication = client.app.state.cases  # type: ignore[attr-defined]
    opened = open_cases(serving, 10)
    position = opened[-1][1]
    headers = api.headers(COORDINATOR_USER)
    before = client.get("/v1/overview", params={"position": position}, headers=headers).json()

    cases = CaseApplication(lean(api_settings), clock)
    view = open_view(lean(api_settings), "overview")
    try:
        worker = worker_for(cases, view)

        seen: list[dict[str, object]] = []

        def interrupt(events: int) -> None:
            seen.append(client.get("/health").json()["views"]["overview"])
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            worker.rebuild(batch_size=3, progress=interrupt)
    finally:
        view.close()
        cases.close()

    assert seen[0]["state"] == "rebuilding" and seen[0]["rebuild_position"] == 3
    assert client.get("/health").json()["views"]["overview"]["state"] == "live"  # abandoned

    after = client.get("/v1/overview", params={"position": position}, headers=headers)
    assert after.status_code == 200
    assert after.json()["cases"] == before["cases"]
    more = open_cases(serving, 1)
    again = client.get("/v1/overview", params={"position": more[-1][1]}, headers=headers)
    assert len(again.json()["cases"]) == 11
