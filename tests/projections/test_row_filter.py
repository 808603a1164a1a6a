"""What the views' databases filter by, on SQLite and PostgreSQL alike: a document's
top-level fields (a coach's own cases) and the overview's current cases (open, or with an
erasure request still to be carried out)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.persistence import Tracking

from domain.periods import CasePeriods
from projections import queries
from projections.closure_candidates import closure_candidates
from projections.registry import OpenView
from projections.view import RowFilter, ViewRow

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


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


def family(key: str, priority: int, placed_at: str, team: str = "centrum") -> ViewRow:
    return ViewRow(
        key, key, "den-haag", team, "family", {"priority": priority, "placed_at": placed_at}
    )


def walk(view: Any, where: RowFilter, key: Any) -> list[list[str]]:
    """Every page of `where`, each from the keyset of the last row of the page before."""
    pages: list[list[str]] = []
    after = None
    while True:
        page = view.select_rows(replace(where, after=after))
        if not page:
            return pages
        pages.append([r.key for r in page])
        after = key(page[-1])


def test_pages_follow_the_order_of_document_fields_then_key(views: dict[str, OpenView]) -> None:
    """Numbers order as numbers (priority 10 after 9), ties by the key; each page starts
    after the last row of the one before, whatever the stores' text order would say."""
    view = views["waitlist"].view
    rows = [
        family("f1", 2, "2026-01-05"),
        family("f2", 1, "2026-02-01"),
        family("f3", 10, "2026-01-01"),
        family("f4", 1, "2026-01-20"),
        family("f5", 2, "2026-01-05"),
        family("f6", 9, "2026-03-01", team="west"),
    ]
    view.write(rows, [], Tracking("test", 1), 0)
    where = RowFilter(kind="family", order=("priority", "placed_at"), limit=2)

    def key(r: ViewRow) -> tuple[Any, ...]:
        return (r.doc["priority"], r.doc["placed_at"], r.key)

    assert walk(view, where, key) == [["f4", "f2"], ["f1", "f5"], ["f6", "f3"]]
    assert walk(view, replace(where, team="centrum"), key) == [["f4", "f2"], ["f1", "f5"], ["f3"]]


def test_counts_are_paged_by_value(views: dict[str, OpenView]) -> None:
    view = views["overview"].view
    coaches = ["coach-a", "coach-b", "coach-b", "coach-c", "coach-d", "coach-d", "coach-d"]
    rows = [row(f"k{i}", status="open", coach=c) for i, c in enumerate(coaches)]
    rows += [
        row("closed", status="closed", coach="coach-b"),
        row("none", status="open", coach=None),
    ]
    view.write(rows, [], Tracking("test", 1), 0)
    open_cases = RowFilter(kind="case", municipality="den-haag", doc=(("status", "open"),))

    assert view.count_by(replace(open_cases, limit=2), "coach") == {"coach-a": 1, "coach-b": 2}
    after_b = replace(open_cases, after=("coach-b",), limit=2)
    assert view.count_by(after_b, "coach") == {"coach-c": 1, "coach-d": 3}
    assert view.count_by(replace(open_cases, after=("coach-d",), limit=2), "coach") == {}
    assert view.count_by(replace(open_cases, limit=10), "coach") == view.count_by(
        open_cases, "coach"
    )


def test_a_page_filtered_after_reading_reads_on_until_it_is_full(
    views: dict[str, OpenView],
) -> None:
    """A filter the database cannot apply (one on what is computed) keeps a page full: rows
    are read on in growing chunks, and the page ends where the last kept item is."""
    view = views["overview"].view
    rows = [row(f"k{i:03d}", status="open", n=i) for i in range(300)]
    view.write(rows, [], Tracking("test", 1), 0)
    where = RowFilter(kind="case", current=True)

    def numbers(encoded: list[Any]) -> list[int]:
        return [json.loads(r.doc)["n"] for r in encoded]

    def rare(n: int) -> bool:
        return n % 40 == 7

    first = queries.read_page(view, where, None, 3, numbers, rare)
    assert first == [7, 47, 87, 127], "a page of 3, and one more to tell that more follow"
    rest = queries.read_page(view, where, ("k127",), 3, numbers, rare)
    assert rest == [167, 207, 247, 287]
    assert queries.read_page(view, where, ("k287",), 3, numbers, rare) == []
    assert queries.read_page(view, where, None, 500, numbers, lambda n: True) == list(range(300))


def test_a_fields_spread_per_group_is_summed_up_by_the_database(
    views: dict[str, OpenView],
) -> None:
    """Per group: how many, the lowest, and the middle two (one row twice for an odd
    count), whatever the order rows were written in; rows a filter leaves out, or whose
    `unless` field is true, are not counted."""
    view = views["waitlist"].view
    sizes = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    rows = [
        ViewRow(
            f"referral:{group}{i}", f"{group}{i}", "den-haag", "centrum", "referral",
            {"destination": group, "organisation": "o", "requested_at": f"2026-0{9 - i}-01"},
        )
        for group, size in sizes.items()
        for i in range(size)
    ]  # fmt: skip
    set_aside = ViewRow("referral:x", "x", "den-haag", "centrum", "referral", {
        "destination": "a", "organisation": "o", "requested_at": "2020-01-01", "case_closed": True,
    })  # fmt: skip
    elsewhere = replace(rows[0], key="referral:u", municipality="utrecht")
    reopened = replace(rows[0], key="referral:r", doc={**rows[0].doc, "case_closed": False})
    view.write([*reversed(rows), set_aside, elsewhere, reopened], [], Tracking("test", 1), 0)

    where = RowFilter(kind="referral", municipality="den-haag", unless=("case_closed",))
    found = {s.group: s for s in view.spread_by(where, ("destination", "organisation"), "at")}
    assert found == {}  # no row has the field: nothing to spread
    spread = view.spread_by(where, ("destination", "organisation"), "requested_at")

    def expected(group: str, size: int) -> tuple[Any, ...]:
        values = sorted(f"2026-0{9 - i}-01" for i in range(size))
        if group == "a":
            values = sorted([*values, values[0]])  # the reopened case's referral
        n = len(values)
        return ((group, "o"), n, values[0], (values[(n - 1) // 2], values[n // 2]))

    assert [tuple(s) for s in spread] == [expected(g, n) for g, n in sizes.items()]


def test_closure_candidates_are_the_quiet_open_cases_each_by_its_own_period(
    views: dict[str, OpenView],
) -> None:
    """Read up to the shortest period of any municipality (`RowFilter.at_most` through the
    overview's index), then each case checked against its municipality's own period."""
    view = views["overview"].view
    quiet = {"help_question_open": False, "waiting": False, "coach": None, "referrals": {}}

    def case(key: str, municipality: str, days_quiet: int, **doc: Any) -> ViewRow:
        last = (NOW - timedelta(days=days_quiet)).isoformat()
        doc = {"status": "open", **quiet, "last_activity_at": last, **doc}
        return ViewRow(key, str(uuid5(NAMESPACE_URL, key)), municipality, "t", "case", doc)

    rows = [
        case("den-haag-100", "den-haag", 100),
        case("den-haag-90", "den-haag", 90),  # exactly the period: due
        case("den-haag-60", "den-haag", 60),
        case("delft-40", "delft", 40),  # delft closes after 30 days
        case("delft-20", "delft", 20),
        case("coached", "den-haag", 200, coach="coach-anna"),
        case("closed", "den-haag", 200, status="closed"),
    ]
    view.write(rows, [], Tracking("test", 1), 0)
    periods = {"delft": CasePeriods(inactivity_days=30)}

    def periods_for(municipality: str) -> CasePeriods:
        return periods.get(municipality, CasePeriods(inactivity_days=90))

    found = closure_candidates(view, NOW, periods_for, shortest_inactivity_days=30)
    expected = {r.case_id for r in rows if r.key in ("den-haag-100", "den-haag-90", "delft-40")}
    assert {str(c) for c in found} == expected
    forty_days_ago = rows[3].doc["last_activity_at"]
    quiet_for_40 = RowFilter(kind="case", at_most=(("last_activity_at", forty_days_ago),))
    assert {r.key for r in view.select_rows(quiet_for_40)} == {
        "den-haag-100", "den-haag-90", "den-haag-60", "delft-40", "coached", "closed"
    }  # fmt: skip
