"""Walking the case index page by page (as `GET /v1/cases` does), on both stores: every
row that was there all along comes exactly once and in order (newest first), whatever
rows arrive between the pages."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
from eventsourcing.persistence import Tracking
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.settings import Settings
from projections.case_index_view import CaseIndexView, CaseQuery
from projections.registry import OpenView, open_view
from projections.view import ViewRow
from tests.projections.support import UPSTREAM, lean

MOMENTS = [f"2026-0{month}-01T09:00:00+00:00" for month in range(1, 5)]
"""Few moments, so that many rows share one and the key decides."""


@pytest.fixture
def index(store_settings: Settings) -> Iterator[OpenView]:
    opened = open_view(lean(store_settings), "case_index")
    yield opened
    opened.close()


def case_row(key: str, municipality: str, opened_at: str) -> ViewRow:
    doc = {"status": "open", "opened_at": opened_at, "coach": None, "coach_organisation": None}
    return ViewRow(key, key, municipality, "centrum", "case", doc)


rows = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(MOMENTS)),
    max_size=25,
    unique_by=lambda r: r[0],
)
examples = count()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(before=rows, arriving=rows, limit=st.integers(1, 6))
def test_every_row_there_all_along_comes_once_in_order(
    index: OpenView, before: list[tuple[int, str]], arriving: list[tuple[int, str]], limit: int
) -> None:
    view = index.view
    assert isinstance(view, CaseIndexView)
    place = f"place-{next(examples)}"  # each example its own rows in the one view

    def write(new: list[tuple[int, str]]) -> None:
        at = view.position(UPSTREAM)
        upserts = [case_row(f"{place}-{n:05}", place, moment) for n, moment in new]
        view.write(upserts, [], Tracking(UPSTREAM, at + 1), at)

    write(before)
    pending = [r for r in arriving if r[0] not in {n for n, _ in before}]
    seen: list[tuple[str, str]] = []
    after: tuple[str, str] | None = None
    while True:
        page = view.find_cases(CaseQuery(municipality=place, after=after, limit=limit + 1))
        seen += [(r.doc["opened_at"], r.key) for r in page[:limit]]
        if len(page) <= limit:
            break
        after = seen[-1]
        if pending:
            write([pending.pop()])

    assert seen == sorted(set(seen), reverse=True)  # in order, none twice
    there_all_along = {(moment, f"{place}-{n:05}") for n, moment in before}
    assert there_all_along <= set(seen)
