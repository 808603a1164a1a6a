"""The overview remembers each case's entry with its document text and minute: after a
write only the changed case is computed again, a new minute computes every case again, and
what it answers is what the overview computed afresh answers (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from application.cases import CaseApplication
from domain.periods import CasePeriods
from domain.vocabulary import TriageOutcome
from projections import queries
from projections.overview_entries import OverviewEntries
from projections.registry import OpenView
from projections.signals import SignalSettings
from projections.view import EncodedRow, RowFilter
from tests.projections.support import Family, catch_up, on

Views = dict[str, OpenView]


class Computed:
    """An entry per document, counting how often it was asked (the work the memo saves)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(
        self, municipality: str, team: str, doc: dict[str, Any], at: datetime
    ) -> dict[str, Any] | None:
        self.calls.append(doc["name"])
        if doc["status"] != "open":
            return None
        return {"name": doc["name"], "at": at, "place": (municipality, team)}


def encoded(key: str, **doc: Any) -> EncodedRow:
    return EncodedRow(key, key, "den-haag", "centrum", "case", json.dumps(doc))


def test_only_a_changed_document_is_computed_again_within_a_minute() -> None:
    remembered, compute = OverviewEntries(), Computed()
    rows = [encoded("a", name="a", status="open"), encoded("b", name="b", status="open")]
    first = remembered.entries(rows, on(1), compute)
    assert [e["name"] for e in first] == ["a", "b"] and compute.calls == ["a", "b"]

    changed = [rows[0], encoded("b", name="b", status="open", coach="coach-anna")]
    again = remembered.entries(changed, on(1) + timedelta(seconds=20), compute)
    assert compute.calls == ["a", "b", "b"]
    assert again[0] is first[0]


def test_a_new_minute_computes_every_entry_as_of_that_minute() -> None:
    remembered, compute = OverviewEntries(), Computed()
    rows = [encoded("a", name="a", status="open"), encoded("b", name="b", status="closed")]
    assert [e["name"] for e in remembered.entries(rows, on(1), compute)] == ["a"]
    later = on(1) + timedelta(minutes=1, seconds=30)
    [entry] = remembered.entries(rows, later, compute)
    assert compute.calls == ["a", "b", "a", "b"]
    assert entry["at"] == later.replace(second=0, microsecond=0)


def test_the_least_recently_read_cases_are_forgotten_first() -> None:
    remembered, compute = OverviewEntries(size=2), Computed()
    a, b, c = (encoded(k, name=k, status="open") for k in "abc")
    remembered.entries([a, b], on(1), compute)
    remembered.entries([a], on(1), compute)
    remembered.entries([c], on(1), compute)  # forgets b, read longest ago
    remembered.entries([a, b], on(1), compute)
    assert compute.calls == ["a", "b", "c", "b"]


def test_the_remembered_overview_answers_what_a_fresh_one_does(
    app: CaseApplication, views: Views
) -> None:
    waiting = Family.open(app)
    waiting.triage(1, TriageOutcome.COMPLEX)
    coached = Family.open(app)
    coached.assign(1)
    catch_up(app, views)
    view, remembered = views["overview"].view, OverviewEntries()

    def both(as_of: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        args = (view, as_of, lambda _: CasePeriods(), SignalSettings(), RowFilter())
        minute = as_of.replace(second=0, microsecond=0)
        return queries.overview(*args, remembered), queries.overview(view, minute, *args[2:])

    kept, fresh = both(on(30) + timedelta(seconds=40))
    assert kept == fresh and {c["case_id"] for c in kept} == {waiting.id, coached.id}
    assert [s["code"] for s in kept[[c["case_id"] for c in kept].index(waiting.id)]["signals"]]

    waiting.assign(31)
    catch_up(app, views)
    kept, fresh = both(on(31) + timedelta(seconds=5))
    assert kept == fresh
    assert all("no_coach" not in [s["code"] for s in c["signals"]] for c in kept)
