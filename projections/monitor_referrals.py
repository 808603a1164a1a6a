"""Referrals by destination (000 Table 4.4) with their outcomes and waits from request to
care start, and the waitlist: waits from placement to coach and contacts while waiting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from domain.vocabulary import ReferralDestination, ReferralStatus, WaitlistExit
from projections.monitor_cases import CaseFacts, parsed
from projections.report_period import ReportPeriod
from projections.report_stats import mean, median, nearest_rank
from projections.report_table import Cell, Count, Stat, Table

CONTACT_INTERVAL_DAYS = 14
"""A waiting family is contacted every 2 weeks (000 §5.2.4)."""
OUTCOMES = [s.value for s in ReferralStatus]


def status_at_end(referral: dict[str, Any], period: ReportPeriod) -> str:
    steps = [s for s in referral["steps"] if (parsed(s[0]) or period.ends_at) < period.ends_at]
    return str(steps[-1][1]) if steps else ReferralStatus.REQUESTED.value


def started_at(referral: dict[str, Any]) -> datetime | None:
    started = [s[0] for s in referral["steps"] if s[1] == ReferralStatus.CARE_STARTED.value]
    return parsed(started[0]) if started else None


def waits(values: Sequence[Decimal]) -> tuple[Stat, Stat]:
    return Stat(median(values), len(values)), Stat(nearest_rank(values, 90), len(values))


def referral_tables(cases: Sequence[CaseFacts], period: ReportPeriod) -> list[Table]:
    referrals = [(case, r) for case in cases for r in case.doc["referrals"].values()]
    requested = [(c, r) for c, r in referrals if period.contains(parsed(r["requested_at"]))]
    entries: list[tuple[Cell, ...]] = []
    wait_rows: list[tuple[Cell, ...]] = []
    for destination in [*(d.value for d in ReferralDestination), "total"]:
        mine = [(c, r) for c, r in requested if destination in (r["destination"], "total")]
        outcomes = [status_at_end(r, period) for _, r in mine]
        cases_referred = len({c.row.key for c, _ in mine})
        entries.append(
            (
                destination,
                Count(len(mine)),
                Count(cases_referred),
                *(Count(outcomes.count(o)) for o in OUTCOMES),
            )
        )
        ours = [r for _, r in referrals if destination in (r["destination"], "total")]
        wait_rows.append((destination, *referral_waits(ours, period)))
    return [
        Table(
            "referrals_by_destination",
            "Referrals requested in the period, by destination, and where they stood at its end",
            (
                ("destination", "destination"),
                ("entries", "entries"),
                ("cases", "cases"),
                *((o, o.replace("_", " ")) for o in OUTCOMES),
            ),
            tuple(entries),
            note="a case may have several referrals",
        ),
        Table(
            "referral_waiting_days",
            "Days from request to care start (care started in the period), and still waiting",
            (
                ("destination", "destination"),
                ("started", "care started"),
                ("median_days", "median days"),
                ("p90_days", "p90 days"),
                ("waiting", "still waiting at the end"),
                ("waiting_median_days", "median days so far"),
            ),
            tuple(wait_rows),
            note="p90 by the nearest-rank method",
        ),
    ]


def referral_waits(referrals: Sequence[dict[str, Any]], period: ReportPeriod) -> list[Cell]:
    started = []
    waiting = []
    for r in referrals:
        requested, begun = parsed(r["requested_at"]), started_at(r)
        assert requested is not None
        if period.contains(begun):
            started.append(Decimal(period.days_between(requested, begun)))
        elif requested < period.ends_at and status_at_end(r, period) in ("requested", "accepted"):
            waiting.append(Decimal(period.days_between(requested, period.ends_at)))
    median_days, p90_days = waits(started)
    return [
        Count(len(started)),
        median_days,
        p90_days,
        Count(len(waiting)),
        Stat(median(waiting), len(waiting)),
    ]


def waitlist_table(cases: Sequence[CaseFacts], period: ReportPeriod) -> Table:
    stays = [Stay.of(stay) for c in cases for stay in c.doc["waitlist"]]
    placed = [s for s in stays if period.contains(s.placed_at)]
    left = [s for s in stays if period.contains(s.left_at)]
    to_coach = [s for s in left if s.exit == WaitlistExit.COACH_ASSIGNED.value]
    median_days, p90_days = waits([Decimal(s.days_waited(period)) for s in to_coach])
    contacts = [Decimal(len(s.contacts)) for s in left]
    rows: list[tuple[Cell, ...]] = [
        ("placed on the waitlist", Count(len(placed))),
        ("left for a coach", Count(len(to_coach))),
        ("days from placement to coach (median)", median_days),
        ("days from placement to coach (p90)", p90_days),
        *(
            (f"left: {e.value.replace('_', ' ')}", Count(sum(s.exit == e.value for s in left)))
            for e in WaitlistExit
            if e is not WaitlistExit.COACH_ASSIGNED
        ),
        ("contacts while waiting, per family that left (mean)", Stat(mean(contacts), len(left))),
        (
            f"families that left after more than {CONTACT_INTERVAL_DAYS} days without contact",
            Count(sum(s.had_contact_gap for s in left)),
        ),
        (
            "waiting at the end of the period",
            Count(sum(s.waiting_at(period.ends_at) for s in stays)),
        ),
    ]
    columns = (("measure", "measure"), ("value", "value"))
    return Table("waitlist", "The waitlist for a coach", columns, tuple(rows))


@dataclass(frozen=True)
class Stay:
    """One stay on the waitlist, its moments parsed."""

    placed_at: datetime
    left_at: datetime | None
    exit: str | None
    contacts: tuple[datetime, ...]

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Stay:
        placed = parsed(doc["placed_at"])
        assert placed is not None
        contacts = tuple(c for c in map(parsed, doc["contacts"]) if c is not None)
        return cls(placed, parsed(doc["left_at"]), doc["exit"], contacts)

    def days_waited(self, period: ReportPeriod) -> int:
        return period.days_between(self.placed_at, self.left_at or period.ends_at)

    def waiting_at(self, moment: datetime) -> bool:
        return self.placed_at < moment and (self.left_at is None or self.left_at >= moment)

    @property
    def had_contact_gap(self) -> bool:
        """Whether the family went more than two weeks without contact while waiting."""
        ended = [self.left_at] if self.left_at else []
        moments = sorted([self.placed_at, *self.contacts, *ended])
        limit = timedelta(days=CONTACT_INTERVAL_DAYS)
        return any(b - a > limit for a, b in pairwise(moments))


WAIT_BINS = ((0, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None))
"""Days waited, in bins: two weeks, a month, two and three months, half a year, a year."""


def waiting_distribution(cases: Sequence[CaseFacts], period: ReportPeriod) -> Table:
    """How long referrals waited for care (care started in the period) and families for a
    coach (coach assigned in the period)."""
    referral_days = []
    for case in cases:
        for referral in case.doc["referrals"].values():
            begun, requested = started_at(referral), parsed(referral["requested_at"])
            if period.contains(begun) and requested is not None:
                referral_days.append(period.days_between(requested, begun))
    stays = [Stay.of(stay) for c in cases for stay in c.doc["waitlist"]]
    coach_days = [
        s.days_waited(period)
        for s in stays
        if period.contains(s.left_at) and s.exit == WaitlistExit.COACH_ASSIGNED.value
    ]
    rows: list[tuple[Cell, ...]] = []
    for low, high in WAIT_BINS:
        label = f"{low}-{high}" if high is not None else f"{low}+"

        def within(days: int, low: int = low, high: int | None = high) -> bool:
            return low <= days and (high is None or days <= high)

        rows.append(
            (
                label,
                Count(sum(within(d) for d in referral_days)),
                Count(sum(within(d) for d in coach_days)),
            )
        )
    return Table(
        "waiting_days_distribution",
        "Days waited: referrals until care started, families until a coach",
        (("days", "days"), ("referrals", "referrals"), ("waitlist", "waitlist")),
        tuple(rows),
    )
