"""What the views' databases filter by, on SQLite and PostgreSQL alike: a document's
top-level fields (a coach's own cases) and the overview's current cases (open, or with an
erasure request still to be carried out)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking

from projections.registry import OpenView
from projections.view import RowFilter, ViewRow


def row(key: str, **doc: Any) -> ViewRow:
    return ViewRow(key, key, "den-haag", "centrum", "case", doc)


def test_rows_are_picked_by_document_fields_and_by_being_current(
    views: dict[str, OpenView],
) -> None:
    view = views["overview"].view
    rows = [
        row("a", status="open", coach="coach-anna", coach_organisation="cjg-den-haag"),
        row("b", status="open", coach="coach-anna", coach_organisation="wijkteam-delft"),
        row("c", status="open", coach=None, erasure_requests={}),
        row("d", status="closed", coach="coach-anna", erasure_requests={"e1": {"due_on": "x"}}),
        row("e", status="closed", coach="coach-anna", coach_organisation="cjg-den-haag"),
    ]
    view.write(rows, [], Tracking("test", 1), 0)

    def keys(where: RowFilter) -> list[str]:
        return [r.key for r in view.select_rows(where)]

    anna = (("coach", "coach-anna"), ("coach_organisation", "cjg-den-haag"))
    assert keys(RowFilter(doc=anna)) == ["a", "e"]
    assert keys(RowFilter(current=True)) == ["a", "b", "c", "d"]
    assert keys(RowFilter(doc=anna, current=True)) == ["a"]
    assert keys(RowFilter(municipality="den-haag", doc=(("status", "closed"),))) == ["d", "e"]
