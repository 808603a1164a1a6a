"""What the views' databases filter by, on SQLite and PostgreSQL alike: a document's
top-level fields (a coach's own cases) and the overview's current cases (open, or with an
erasure request still to be carried out)."""

from __future__ import annotations

import json
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


def test_rows_are_counted_by_a_document_field_in_the_database(
    views: dict[str, OpenView],
) -> None:
    view = views["overview"].view
    rows = [
        row("a", status="open", coach="coach-anna"),
        row("b", status="open", coach="coach-anna"),
        row("c", status="open", coach="coach-bram"),
        row("d", status="open", coach=None),
        row("e", status="closed", coach="coach-anna"),
        ViewRow("f", "f", "utrecht", "noord", "case", {"status": "open", "coach": "coach-anna"}),
    ]
    view.write(rows, [], Tracking("test", 1), 0)

    open_in_den_haag = RowFilter(municipality="den-haag", doc=(("status", "open"),))
    assert view.count_by(open_in_den_haag, "coach") == {"coach-anna": 2, "coach-bram": 1}
    assert view.count_by(RowFilter(), "status") == {"open": 5, "closed": 1}
    assert view.count_by(RowFilter(team="nowhere"), "coach") == {}


def test_encoded_rows_hold_the_text_that_decodes_to_the_document(
    views: dict[str, OpenView],
) -> None:
    view = views["overview"].view
    view.write([row("a", status="open", names=["Ä", 'q"uote'])], [], Tracking("test", 1), 0)
    [encoded] = view.select_encoded(RowFilter())
    assert (encoded.key, encoded.municipality, encoded.team) == ("a", "den-haag", "centrum")
    assert json.loads(encoded.doc) == {"status": "open", "names": ["Ä", 'q"uote']}
    assert view.select_rows(RowFilter()) == [row("a", status="open", names=["Ä", 'q"uote'])]
