"""Reading the views: the waitlists, the coordination overview with its signals, and the
caseload per coach. Time-dependent figures (days waiting, overdue) are computed as of
the moment asked, so the stored rows never go stale."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from domain.periods import CasePeriods
from projections.overview_entries import OverviewEntries
from projections.signals import SignalSettings, signals_for
from projections.view import DocumentView, EncodedRow, RowFilter

Item = TypeVar("Item")

CONTACT_INTERVAL = timedelta(days=14)
"""A waiting family is contacted every 2 weeks (000 §5.2.4)."""


def _days(since: str, as_of: datetime) -> int:
    return max(0, (as_of - datetime.fromisoformat(since)).days)


def family_waitlist(
    view: DocumentView, as_of: datetime, municipality: str | None = None, team: str | None = None
) -> list[dict[str, Any]]:
    """Families waiting for a coach, by priority, date placed and case id (a stable
    order to page through)."""
    where = RowFilter(kind="family", municipality=municipality, team=team, order=QUEUE)
    return [_family(row, as_of) for row in view.select_encoded(where)]


def family_waitlist_page(
    view: DocumentView, as_of: datetime, where: RowFilter, page: PageAsked
) -> list[dict[str, Any]]:
    """A page of the families waiting in the place of `where` (and one more, if more
    follow), after the (priority, date placed, case id) `page.after`: read through the
    index of the waitlist's order, not the whole list."""
    queue = replace(where, kind="family", order=QUEUE)
    after = page.after
    if after is not None:
        priority, placed_at, case_id = after
        after = (priority, placed_at, f"family:{case_id}")

    def families(rows: list[EncodedRow]) -> list[dict[str, Any]]:
        return [_family(row, as_of) for row in rows]

    return read_page(view, queue, after, page.limit, families, page.keeps)


QUEUE = ("priority", "placed_at")
"""The waitlist's order (then the case id): the most urgent first, then the longest waiting."""


def _family(row: EncodedRow, as_of: datetime) -> dict[str, Any]:
    doc = json.loads(row.doc)
    last = doc["last_contact_at"] or doc["placed_at"]
    return {
        "case_id": row.case_id,
        "municipality": row.municipality,
        "team": row.team,
        "priority": doc["priority"],
        "urgency": doc["urgency"],
        "placed_at": doc["placed_at"],
        "days_waiting": _days(doc["placed_at"], as_of),
        "contacts": doc["contacts"],
        "last_contact_at": doc["last_contact_at"],
        "contact_overdue": as_of - datetime.fromisoformat(last) > CONTACT_INTERVAL,
        "consent_in_force": doc["consent_in_force"],
    }


def read_page(
    view: DocumentView,
    where: RowFilter,
    after: tuple[Any, ...] | None,
    limit: int,
    compute: Callable[[list[EncodedRow]], list[Item]],
    keeps: Callable[[Item], bool],
) -> list[Item]:
    """Up to `limit + 1` items that `keeps` accepts, computed from the rows of `where` after
    the keyset `after`, in the view's order (`where.order`, then key). Rows are read in
    chunks, the first just a page: a filter the database cannot apply (one on what is
    computed as of now) reads on until the page is full, never the whole scope at once."""
    found: list[Item] = []
    size = limit + 1
    while True:
        rows = view.select_encoded(replace(where, after=after, limit=size))
        found += [item for item in compute(rows) if keeps(item)]
        if len(found) > limit or len(rows) < size:
            return found[: limit + 1]
        last = json.loads(rows[-1].doc) if where.order else {}
        after = (*(last.get(field) for field in where.order), rows[-1].key)
        size = min(4 * size, MAX_CHUNK)


MAX_CHUNK = 2000


def provider_waitlist(
    view: DocumentView, as_of: datetime, municipality: str | None = None, team: str | None = None
) -> dict[str, Any]:
    """Referrals requested or accepted but not started, and their waits per destination
    and organisation: the 4-to-9-month waits made visible."""
    where = RowFilter(kind="referral", municipality=municipality, team=team, order=WAITS)
    referrals = [r for r in map(_referral, view.select_encoded(where)) if r is not None]
    for referral in referrals:
        referral["days_waiting"] = _days(referral["requested_at"], as_of)
    return {"referrals": referrals, "by_destination": provider_summary(view, as_of, where)}


def provider_summary(view: DocumentView, as_of: datetime, where: RowFilter) -> list[dict[str, Any]]:
    """Per destination and organisation, the referrals waiting in the place of `where`: how
    many, the longest wait and the median wait in days. Summed up by the database (a few
    rows per destination sent, not every referral), so it costs far less than reading the
    referrals, though still in proportion to how many wait."""
    waiting = replace(where, kind="referral", unless=("case_closed",), order=())
    spread = view.spread_by(waiting, ("destination", "organisation"), "requested_at")
    return [
        {
            "destination": destination,
            "organisation": organisation,
            "waiting": s.size,
            "max_days": _days(s.lowest, as_of),
            "median_days": statistics.median(_days(m, as_of) for m in s.middle),
        }
        for s in sorted(spread)
        for destination, organisation in (s.group,)
    ]


WAITS = ("requested_at",)
"""The order of the referrals waiting (then case id and referral id): the longest first."""


def provider_referrals_page(
    view: DocumentView, as_of: datetime, where: RowFilter, page: PageAsked
) -> list[dict[str, Any]]:
    """A page of the referrals waiting at providers in the place of `where` (and one more,
    if more follow), after the (requested at, case id, referral id) `page.after`: read
    through the index of that order, not the whole list."""
    waits = replace(where, kind="referral", order=WAITS)
    after = page.after
    if after is not None:
        requested_at, case_id, referral_id = after
        after = (requested_at, f"referral:{case_id}:{referral_id}")

    def referrals(rows: list[EncodedRow]) -> list[dict[str, Any]]:
        found = [r for r in map(_referral, rows) if r is not None]
        for referral in found:
            referral["days_waiting"] = _days(referral["requested_at"], as_of)
        return found

    return read_page(view, waits, after, page.limit, referrals, page.keeps)


def _referral(row: EncodedRow) -> dict[str, Any] | None:
    """A referral waiting, or None while its case is closed (it waits again on reopening)."""
    doc = json.loads(row.doc)
    if doc.pop("case_closed", False):
        return None
    return {"case_id": row.case_id, **doc}


def overview(
    view: DocumentView,
    as_of: datetime,
    periods_for: Callable[[str], CasePeriods],
    signal_settings: SignalSettings,
    where: RowFilter,
    remembered: OverviewEntries | None = None,
    page: PageAsked | None = None,
) -> list[dict[str, Any]]:
    """Open cases with their regisseur, involved parties, plan, referrals and signals; and
    closed cases with an erasure request still to be carried out (its deadline runs), by
    case id. With `remembered`, as of the minute of `as_of`, and only changed cases
    computed; with `page`, only a page of them (and one more, if more follow)."""

    def entry(
        municipality: str, team: str, doc: dict[str, Any], at: datetime
    ) -> dict[str, Any] | None:
        if doc["status"] != "open" and not doc.get("erasure_requests"):
            return None
        signals = signals_for(doc, at, periods_for(municipality), signal_settings)
        open_referrals = {
            rid: {**r, "days_waiting": _days(r["requested_at"], at)}
            for rid, r in doc["referrals"].items()
            if r["status"] in ("requested", "accepted", "care_started")
        }
        return {
            **doc,
            "municipality": municipality,
            "team": team,
            "referrals": open_referrals,
            "signals": [{"code": s.code, "message": s.message} for s in signals],
        }

    def entries(rows: list[EncodedRow]) -> list[dict[str, Any]]:
        if remembered is not None:
            return remembered.entries(rows, as_of, entry)
        found = (entry(r.municipality, r.team, json.loads(r.doc), as_of) for r in rows)
        return [e for e in found if e is not None]

    current = replace(where, kind="case", current=True)
    if page is None:
        return entries(view.select_encoded(current))
    after = None if page.after is None else tuple(page.after)
    return read_page(view, current, after, page.limit, entries, page.keeps)


@dataclass(frozen=True)
class PageAsked:
    """A page of a list: its keyset (the sort key of the last item before it), its length,
    and a filter on the computed items that the database cannot apply."""

    after: tuple[Any, ...] | None
    limit: int
    keeps: Callable[[Any], bool] = lambda item: True


def caseload(
    view: DocumentView,
    fte: Callable[[str], float],
    norm_per_fte: int,
    municipality: str | None = None,
    team: str | None = None,
    page: PageAsked | None = None,
) -> list[dict[str, Any]]:
    """Open cases per coach against the norm (002: 10 per full-time coach), by coach; with
    `page`, the coaches after `page.after` (a 1-tuple), `page.limit` and one more."""
    where = RowFilter(kind="case", municipality=municipality, team=team, doc=(("status", "open"),))
    if page is not None:
        where = replace(where, after=page.after, limit=page.limit + 1)
    counts = view.count_by(where, "coach")
    return [
        {
            "coach": coach,
            "cases": n,
            "fte": fte(coach),
            "norm": norm_per_fte * fte(coach),
            "over_norm": n > norm_per_fte * fte(coach),
        }
        for coach, n in sorted(counts.items())
        if coach
    ]
