"""One case's report facts read for a period: what happened in it, who coached it, and how
the case is named in a report (pseudonyms that cannot be traced back)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from projections.report_period import ReportPeriod
from projections.view import ViewRow

NO_COACH = "(no coach)"


def parsed(at: str | None) -> datetime | None:
    return datetime.fromisoformat(at) if at else None


@dataclass(frozen=True)
class Minutes:
    conversation: Decimal
    writing: Decimal
    registered_afterwards: Decimal

    @property
    def total(self) -> Decimal:
        return self.conversation + self.writing + self.registered_afterwards


class CaseFacts:
    """A row of the report view, read for one period."""

    def __init__(self, row: ViewRow, period: ReportPeriod) -> None:
        self.row, self.doc, self.period = row, row.doc, period

    @cached_property
    def opened_at(self) -> datetime:
        at = parsed(self.doc["opened_at"])
        assert at is not None
        return at

    def in_period(self, items: Iterable[list[Any]]) -> list[list[Any]]:
        """Dated facts ([moment, ...]) that happened in the period."""
        return [item for item in items if self.period.contains(parsed(item[0]))]

    def closed_at(self, moment: datetime) -> bool:
        """Closed at that moment: the last closure or reopening before it was a closure."""
        changes = [(parsed(c[0]), True) for c in self.doc["closures"]]
        changes += [(parsed(r), False) for r in self.doc["reopenings"]]
        before = sorted((at, closed) for at, closed in changes if at is not None and at < moment)
        return bool(before) and before[-1][1]

    @cached_property
    def closed_by_end(self) -> bool:
        return self.closed_at(self.period.ends_at)

    @cached_property
    def open_during_period(self) -> bool:
        """Opened before the period ended, and open at some moment of it."""
        if self.opened_at >= self.period.ends_at:
            return False
        changed_in_period = any(
            self.period.contains(parsed(at))
            for at in [c[0] for c in self.doc["closures"]] + self.doc["reopenings"]
        )
        return changed_in_period or not self.closed_at(self.period.starts_at)

    @cached_property
    def conversations(self) -> list[list[Any]]:
        return self.in_period(self.doc["conversations"])

    @cached_property
    def minutes(self) -> Minutes:
        registered = self.in_period(self.doc["registered_time"])
        return Minutes(
            conversation=sum((Decimal(c[2]) for c in self.conversations), Decimal(0)),
            writing=sum((Decimal(c[3]) for c in self.conversations), Decimal(0)),
            registered_afterwards=sum(
                (Decimal(r[1]) + Decimal(r[2]) for r in registered), Decimal(0)
            ),
        )

    @property
    def has_time(self) -> bool:
        return bool(self.conversations) or self.minutes.total > 0

    def coach_spell_before_end(self) -> dict[str, Any] | None:
        """The last coaching spell that started before the period ended."""
        ends = self.period.ends_at
        started = [s for s in self.doc["coaching"] if (parsed(s["from"]) or ends) < ends]
        return started[-1] if started else None

    @cached_property
    def coach(self) -> str:
        """The case's coach for the period: its regisseur at the end, or the last before."""
        spell = self.coach_spell_before_end()
        return spell["coach"] if spell else NO_COACH

    @cached_property
    def coached_at_end(self) -> str | None:
        """The regisseur in office at the end of the period, if the case is open then."""
        spell = self.coach_spell_before_end()
        if spell is None or self.closed_by_end:
            return None
        ended = parsed(spell["to"])
        return spell["coach"] if ended is None or ended >= self.period.ends_at else None


class CoachNames:
    """Coaches appear as 'coach 1', 'coach 2'... numbered by their first coaching in the
    report's cases: the same report always names them alike, no name leaves."""

    def __init__(self, cases: Iterable[CaseFacts]) -> None:
        first: dict[str, str] = {}
        for case in cases:
            for spell in case.doc["coaching"]:
                coach = spell["coach"]
                first[coach] = min(first.get(coach, spell["from"]), spell["from"])
        order = sorted(first, key=lambda coach: (parsed(first[coach]), coach))
        self.names = {coach: f"coach {number}" for number, coach in enumerate(order, 1)}
        self.names[NO_COACH] = NO_COACH

    def __getitem__(self, coach: str) -> str:
        return self.names[coach]

    def ordered(self, coaches: Iterable[str]) -> list[str]:
        rank = {coach: number for number, coach in enumerate(self.names)}
        return sorted(set(coaches), key=lambda coach: rank[coach])
