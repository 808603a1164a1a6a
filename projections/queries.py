"""Reading the views: the waitlists, the coordination overview with its signals, and the
caseload per coach. Time-dependent figures (days waiting, overdue) are computed as of
the moment asked, so the stored rows never go stale."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from domain.periods import CasePeriods
from projections.overview_entries import OverviewEntries
from projections.signals import SignalSettings, signals_for
from projections.view import DocumentView, RowFilter

CONTACT_INTERVAL = timedelta(days=14)
"""A waiting family is contacted every 2 weeks (000 §5.2.4)."""


def _days(since: str, as_of: datetime) -> int:
    return max(0, (as_of - datetime.fromisoformat(since)).days)


def family_waitlist(
    view: DocumentView, as_of: datetime, municipality: str | None = None, team: str | None = None
) -> list[dict[str, Any]]:
    """Families waiting for a coach, by priority, date placed and case id (a stable
    order to page through)."""
    rows = view.select_rows(RowFilter(kind="family", municipality=municipality, team=team))
    families = []
    for row in rows:
        doc = row.doc
        last = doc["last_contact_at"] or doc["placed_at"]
        families.append(
            {
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
        )
    return sorted(families, key=lambda f: (f["priority"], f["placed_at"], f["case_id"]))


def provider_waitlist(
    view: DocumentView, as_of: datetime, municipality: str | None = None, team: str | None = None
) -> dict[str, Any]:
    """Referrals requested or accepted but not started, and their waits per destination
    and organisation: the 4-to-9-month waits made visible."""
    rows = view.select_rows(RowFilter(kind="referral", municipality=municipality, team=team))
    referrals = [
        {"case_id": row.case_id, **row.doc, "days_waiting": _days(row.doc["requested_at"], as_of)}
        for row in rows
        if not row.doc.get("case_closed")
    ]
    for referral in referrals:
        referral.pop("case_closed", None)
    groups: dict[tuple[str, str], list[int]] = {}
    for referral in referrals:
        key = (referral["destination"], referral["organisation"])
        groups.setdefault(key, []).append(referral["days_waiting"])
    summary = [
        {
            "destination": d,
            "organisation": o,
            "waiting": len(days),
            "max_days": max(days),
            "median_days": statistics.median(days),
        }
        for (d, o), days in sorted(groups.items())
    ]
    referrals.sort(key=lambda r: (-r["days_waiting"], r["case_id"], r["referral_id"]))
    return {"referrals": referrals, "by_destination": summary}


def overview(
    view: DocumentView,
    as_of: datetime,
    periods_for: Callable[[str], CasePeriods],
    signal_settings: SignalSettings,
    where: RowFilter,
    remembered: OverviewEntries | None = None,
) -> list[dict[str, Any]]:
    """Open cases with their regisseur, involved parties, plan, referrals and signals; and
    closed cases with an erasure request still to be carried out (its deadline runs).
    With `remembered`, as of the minute of `as_of`, and only changed cases computed."""

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

    current = replace(where, current=True)
    if remembered is not None:
        return remembered.entries(view.select_encoded(current), as_of, entry)
    found = (entry(r.municipality, r.team, r.doc, as_of) for r in view.select_rows(current))
    return [e for e in found if e is not None]


def caseload(
    view: DocumentView,
    fte: Callable[[str], float],
    norm_per_fte: int,
    municipality: str | None = None,
    team: str | None = None,
) -> list[dict[str, Any]]:
    """Open cases per coach against the norm (002: 10 per full-time coach)."""
    where = RowFilter(kind="case", municipality=municipality, team=team, doc=(("status", "open"),))
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
