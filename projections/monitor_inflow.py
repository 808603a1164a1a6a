"""Inflow (meldingen by channel and month, triage outcomes, coordination levels) and the
problem categories of parents and children (000 Table 4.3)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from domain.vocabulary import Channel, ProblemCategory, TriageOutcome
from projections.monitor_cases import CaseFacts
from projections.report_period import ReportPeriod
from projections.report_table import Cell, Count, Table

COORDINATION_LEVELS = range(6)
"""0 aware ... 5 coordination with a family coach (003)."""


def counted(name: str, title: str, label: str, counts: Counter[str], keys: Sequence[str]) -> Table:
    rows: list[tuple[Cell, ...]] = [(key, Count(counts[key])) for key in keys]
    rows.append(("total", Count(sum(counts.values()))))
    return Table(name, title, (("group", label), ("count", "count")), tuple(rows))


def inflow_tables(cases: Sequence[CaseFacts], period: ReportPeriod) -> list[Table]:
    opened = [c for c in cases if period.contains(c.opened_at)]
    triages = [t for c in cases for t in c.in_period(c.doc["triages"])]
    return [
        counted(
            "inflow_by_channel",
            "Meldingen by channel",
            "channel",
            Counter(c.doc["channel"] for c in opened),
            [channel.value for channel in Channel],
        ),
        counted(
            "inflow_by_month",
            "Meldingen by month",
            "month",
            Counter(period.month_of(c.opened_at) for c in opened),
            period.months(),
        ),
        counted(
            "triage_outcomes",
            "Triage decisions by outcome",
            "outcome",
            Counter(t[1] for t in triages),
            [outcome.value for outcome in TriageOutcome],
        ),
        counted(
            "coordination_levels",
            "Triage decisions by coordination level needed",
            "level",
            Counter(str(t[2]) for t in triages),
            [str(level) for level in COORDINATION_LEVELS],
        ),
    ]


def problem_table(cases: Sequence[CaseFacts]) -> Table:
    """Per category, the cases open in the period that registered it for parents and for
    children (a case may register several categories, or only for one side)."""
    parents = Counter(p for c in cases for p in set(c.doc["problems_parents"]))
    children = Counter(p for c in cases for p in set(c.doc["problems_children"]))
    rows = tuple(
        (category.value, Count(parents[category.value]), Count(children[category.value]))
        for category in ProblemCategory
    )
    return Table(
        "problem_categories",
        "Problem categories (cases open in the period)",
        (("category", "category"), ("parents", "parents"), ("children", "children")),
        rows,
    )
