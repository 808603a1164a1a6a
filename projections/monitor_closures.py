"""Closures by reason (90-day inactivity among them), reopenings, families returning with a
new case linked to an earlier one, and the caseload per coach against the norm (002)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from domain.vocabulary import ClosureReason
from projections.monitor_cases import CaseFacts, CoachNames, parsed
from projections.report_period import ReportPeriod
from projections.report_stats import half_up
from projections.report_table import Cell, Count, Stat, Table

PreviousCase = Callable[[str], CaseFacts | None]


def closure_tables(
    cases: Sequence[CaseFacts], period: ReportPeriod, previous: PreviousCase, return_days: int
) -> list[Table]:
    closures = [item for c in cases for item in c.in_period(c.doc["closures"])]
    reasons = Counter(str(item[1]) for item in closures)
    by_reason: list[tuple[Cell, ...]] = [(r.value, Count(reasons[r.value])) for r in ClosureReason]
    by_reason.append(("total", Count(len(closures))))
    reopenings = sum(len(c.in_period([[r] for r in c.doc["reopenings"]])) for c in cases)
    linked = [c for c in cases if period.contains(c.opened_at) and c.doc["previous_case_id"]]
    returning = [c for c in linked if returned_within(c, previous, return_days)]
    rows: list[tuple[Cell, ...]] = [
        ("closures", Count(len(closures))),
        (
            "of which inactive (no active help for the inactivity period)",
            Count(reasons[ClosureReason.INACTIVE.value]),
        ),
        ("reopenings", Count(reopenings)),
        ("new cases linked to an earlier case of the family", Count(len(linked))),
        (
            f"of which within {return_days} days after the earlier case closed",
            Count(len(returning)),
        ),
    ]
    columns = (("measure", "measure"), ("value", "value"))
    return [
        Table(
            "closures_by_reason",
            "Closures in the period by reason",
            (("reason", "reason"), ("count", "count")),
            tuple(by_reason),
        ),
        Table(
            "closures_and_returns",
            "Closures, reopenings and returning families",
            columns,
            tuple(rows),
            note="returning families are counted through the link to their earlier case, "
            "made with the family's consent",
        ),
    ]


def returned_within(case: CaseFacts, previous: PreviousCase, days: int) -> bool:
    earlier = previous(case.doc["previous_case_id"])
    if earlier is None or not earlier.doc["closures"]:
        return False
    closed = [at for at in map(parsed, (c[0] for c in earlier.doc["closures"])) if at is not None]
    before = [at for at in closed if at <= case.opened_at]
    return bool(before) and (case.opened_at - max(before)).days <= days


def caseload_table(
    cases: Sequence[CaseFacts],
    names: CoachNames,
    norm_per_fte: int,
    fte: Mapping[str, float],
) -> Table:
    """Open cases per regisseur at the end of the period, against the norm (10 per fte)."""
    load = Counter(c.coached_at_end for c in cases if c.coached_at_end)
    rows: list[tuple[Cell, ...]] = []
    for coach in names.ordered(load):
        norm = Decimal(str(fte.get(coach, 1.0))) * norm_per_fte
        share = half_up(Decimal(100) * load[coach] / norm) if norm else None
        rows.append(
            (
                names[coach],
                Count(load[coach]),
                str(half_up(norm)),
                Stat(share, load[coach]),
                "over" if norm and load[coach] > norm else "",
            )
        )
    return Table(
        "caseload",
        "Caseload per coach at the end of the period",
        (
            ("coach", "coach"),
            ("cases", "open cases"),
            ("norm", "norm"),
            ("percent_of_norm", "% of norm"),
            ("over_norm", "over the norm"),
        ),
        tuple(rows),
        note=f"norm: {norm_per_fte} cases per fte (002)",
    )
