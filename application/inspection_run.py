"""Running the inspection framework over stored cases: one case, or a set of cases
(municipality, closed in a period), with the table inspectors publish per indicator."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.case_application import CaseApplicationBase
from domain.case import Case
from domain.case_event import CaseEvent
from domain.inspection import INDICATORS, IndicatorResult, Verdict, inspect


@dataclass(frozen=True)
class CaseInspection:
    case_id: UUID
    municipality: str
    closed_at: datetime | None
    results: list[IndicatorResult]


@dataclass(frozen=True)
class IndicatorTotals:
    code: str
    theme: str
    rule: str
    counts: dict[Verdict, int]

    @property
    def judged(self) -> int:
        return self.counts[Verdict.MEETS] + self.counts[Verdict.IMPROVE]


def inspect_case(cases: CaseApplicationBase, case_id: UUID, as_of: datetime) -> CaseInspection:
    events: list[CaseEvent] = list(cases.events.get(case_id))  # type: ignore[arg-type]
    case: Case = cases.get_case(case_id)
    return CaseInspection(case_id, case.municipality, case.closed_at, inspect(events, as_of))


class UnknownMunicipalityError(LookupError):
    """No case of the store belongs to the municipality asked for (a typo, most likely)."""


def inspect_cases(
    cases: CaseApplicationBase,
    as_of: datetime,
    municipality: str | None = None,
    closed_from: datetime | None = None,
    closed_to: datetime | None = None,
) -> list[CaseInspection]:
    """Every case of the municipality (all, if none), closed in the period if one is given.
    A municipality no case belongs to is an error, naming those there are."""
    if closed_from and closed_to and closed_to < closed_from:
        raise ValueError(f"the period ends ({closed_to:%Y-%m-%d}) before it starts")
    found, known = [], set()
    for case_id in cases.case_ids():
        case: Case = cases.get_case(case_id)
        known.add(case.municipality)
        if municipality and case.municipality != municipality:
            continue
        if closed_from or closed_to:
            if case.closed_at is None:
                continue
            if (closed_from and case.closed_at < closed_from) or (
                closed_to and case.closed_at >= closed_to
            ):
                continue
        found.append(inspect_case(cases, case_id, as_of))
    if municipality and municipality not in known:
        there = ", ".join(sorted(known)) or "none"
        raise UnknownMunicipalityError(
            f"no case of municipality {municipality!r}; there are: {there}"
        )
    return found


def totals(inspections: list[CaseInspection]) -> list[IndicatorTotals]:
    """Per indicator, how many cases meet it, need improvement, or cannot be judged."""
    rows = []
    for position, indicator in enumerate(INDICATORS):
        counts = Counter(i.results[position].verdict for i in inspections)
        rows.append(
            IndicatorTotals(
                code=indicator.code,
                theme=indicator.theme.value,
                rule=indicator.rule,
                counts={v: counts.get(v, 0) for v in Verdict},
            )
        )
    return rows
