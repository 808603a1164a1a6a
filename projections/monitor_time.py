"""Conversations and time spent, per case and per coach, with and without the cases that
took exceptionally much time (as the Den Haag evaluation, 000 Tables 4.1 and 4.2, did).

Conversations are counted and averaged over the cases with conversation records; minutes
over every case with time spent, including time registered afterwards without conversation
records, which is shown apart. Where time was spent but no conversation was recorded (coach
5 of the pilot: '?'), the conversation figures are not recorded (empty), never 0."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from domain.vocabulary import ConversationKind
from projections.monitor_cases import CaseFacts, CoachNames
from projections.report_stats import exact, far_out_fence, mean
from projections.report_table import Cell, Count, Stat, Table

TOTAL = "total"


FIGURES: dict[str, Callable[[Sequence[Decimal]], Decimal | None]] = {
    "max": max,
    "min": min,
    "mean": mean,
    "sum": lambda values: sum(values, Decimal(0)),
}


def _figure(values: Sequence[Decimal], how: str) -> Stat:
    """A figure over the values, exact except for means (one decimal, half up)."""
    if not values:
        return Stat(None, 0)
    figure = FIGURES[how](values)
    return Stat(exact(figure) if figure is not None and how != "mean" else figure, len(values))


def outliers(cases: Sequence[CaseFacts], fence_factor: Decimal) -> list[CaseFacts]:
    """The cases above the far-out fence of minutes per case, most minutes first."""
    fence = far_out_fence([c.minutes.total for c in cases], fence_factor)
    if fence is None:
        return []
    found = [c for c in cases if c.minutes.total > fence]
    return sorted(found, key=lambda c: (-c.minutes.total, c.row.key))


def conversations_held(cases: Sequence[CaseFacts]) -> Stat:
    """The conversations these cases recorded; not recorded (empty), rather than 0, when
    time was spent on them without a single conversation record."""
    talked = [c for c in cases if c.conversations]
    if cases and not talked:
        return Stat(None, 0)
    return Stat(Decimal(sum(len(c.conversations) for c in talked)), len(talked))


def summary_cells(cases: Sequence[CaseFacts]) -> dict[str, Cell]:
    talked = [c for c in cases if c.conversations]
    counts = [Decimal(len(c.conversations)) for c in talked]
    minutes = [c.minutes.total for c in cases]
    return {
        "cases": Count(len(cases)),
        "cases_with_conversations": Count(len(talked)),
        "cases_time_registered_only": Count(len(cases) - len(talked)),
        "conversations": conversations_held(cases),
        "conversations_per_case_mean": _figure(counts, "mean"),
        "conversations_per_case_max": _figure(counts, "max"),
        "conversations_per_case_min": _figure(counts, "min"),
        "minutes_conversation": _figure([c.minutes.conversation for c in talked], "sum"),
        "minutes_writing": _figure([c.minutes.writing for c in talked], "sum"),
        "minutes_registered_afterwards": _figure(
            [c.minutes.registered_afterwards for c in cases], "sum"
        ),
        "minutes": _figure(minutes, "sum"),
        "minutes_per_case_mean": _figure(minutes, "mean"),
        "minutes_per_case_max": _figure(minutes, "max"),
        "minutes_per_case_min": _figure(minutes, "min"),
    }


SUMMARY_LABELS = {
    "cases": "cases with time spent",
    "cases_with_conversations": "cases with conversation records",
    "cases_time_registered_only": "cases with time registered afterwards only",
    "conversations": "conversations",
    "conversations_per_case_mean": "conversations per case (mean)",
    "conversations_per_case_max": "conversations per case (max)",
    "conversations_per_case_min": "conversations per case (min)",
    "minutes_conversation": "minutes in conversations",
    "minutes_writing": "minutes writing up",
    "minutes_registered_afterwards": "minutes registered afterwards",
    "minutes": "minutes in all",
    "minutes_per_case_mean": "minutes per case (mean)",
    "minutes_per_case_max": "minutes per case (max)",
    "minutes_per_case_min": "minutes per case (min)",
}
NOT_RECORDED = "'-' for conversations: not recorded (time registered without conversation records)"
COACH_COLUMNS = (
    ("cases", "cases"),
    ("conversations", "conversations"),
    ("minutes", "minutes"),
    ("conversations_per_case_max", "max conv./case"),
    ("conversations_per_case_min", "min conv./case"),
    ("conversations_per_case_mean", "mean conv./case"),
    ("minutes_per_case_max", "max min./case"),
    ("minutes_per_case_min", "min min./case"),
    ("minutes_per_case_mean", "mean min./case"),
    ("cases_time_registered_only", "time registered afterwards only"),
)


def per_coach(name: str, title: str, cases: Sequence[CaseFacts], names: CoachNames) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for coach in names.ordered(c.coach for c in cases):
        cells = summary_cells([c for c in cases if c.coach == coach])
        rows.append((names[coach], *(cells[column] for column, _ in COACH_COLUMNS)))
    cells = summary_cells(cases)
    rows.append((TOTAL, *(cells[column] for column, _ in COACH_COLUMNS)))
    return Table(name, title, (("coach", "coach"), *COACH_COLUMNS), tuple(rows), NOT_RECORDED)


def time_tables(
    cases: Sequence[CaseFacts], names: CoachNames, fence_factor: Decimal
) -> list[Table]:
    spent = [c for c in cases if c.has_time]
    apart = outliers(spent, fence_factor)
    rest = [c for c in spent if c not in apart]
    everything, without = summary_cells(spent), summary_cells(rest)
    summary = Table(
        "time_spent",
        "Conversations and time spent",
        (("measure", "measure"), ("all", "all cases"), ("without_outliers", "without outliers")),
        tuple((label, everything[key], without[key]) for key, label in SUMMARY_LABELS.items()),
        note="conversations and their minutes: over cases with conversation records; "
        "minutes per case: over all cases with time spent; " + NOT_RECORDED,
    )
    named = Table(
        "outlier_cases",
        "Cases that took exceptionally much time",
        (
            ("case", "case"),
            ("coach", "coach"),
            ("conversations", "conversations"),
            ("minutes", "minutes"),
        ),
        tuple(
            (
                f"case {chr(65 + i)}" if i < 26 else f"case {i + 1}",
                names[c.coach],
                conversations_held([c]),
                Stat(exact(c.minutes.total), 1),
            )
            for i, c in enumerate(apart)
        ),
        note=f"minutes per case above Q3 + {fence_factor} x IQR (Tukey's far-out fence)",
    )
    return [
        summary,
        per_coach("time_per_coach", "Time spent per coach", spent, names),
        per_coach("time_per_coach_without_outliers", "Per coach, without outliers", rest, names),
        named,
        by_kind(spent),
    ]


def by_kind(cases: Sequence[CaseFacts]) -> Table:
    """Conversations and their minutes per kind; each figure rests on the cases it covers.
    Not recorded (empty) if time was spent but no conversation recorded at all."""
    rows: list[tuple[Cell, ...]] = []
    recorded = conversations_held(cases).value is not None
    for kind in ConversationKind:
        if not recorded:
            rows.append((kind.value, Stat(None, 0), Stat(None, 0)))
            continue
        held = {c.row.key: [i for i in c.conversations if i[1] == kind.value] for c in cases}
        covered = sum(bool(items) for items in held.values())
        minutes = [Decimal(i[2]) + Decimal(i[3]) for items in held.values() for i in items]
        total = sum(minutes, Decimal(0))
        count = Decimal(len(minutes))
        rows.append((kind.value, Stat(count, covered), Stat(exact(total), covered)))
    return Table(
        "conversations_by_kind",
        "Conversations by kind",
        (("kind", "kind"), ("conversations", "conversations"), ("minutes", "minutes")),
        tuple(rows),
    )
