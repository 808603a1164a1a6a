"""The period a report covers: whole local days, from the first day's midnight up to the
midnight after the last day, in the municipality's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TypeGuard
from zoneinfo import ZoneInfo

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
MAX_DAYS = 25 * 366
"""A report covers at most 25 years (a history is kept 20 years after care ends)."""


@dataclass(frozen=True)
class ReportPeriod:
    first_day: date
    last_day: date
    timezone: str = "Europe/Amsterdam"

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("the period ends before it starts")
        if self.first_day < EARLIEST_DAY or self.last_day > LATEST_DAY:
            raise ValueError(f"a period lies between {EARLIEST_DAY} and {LATEST_DAY}")
        if (self.last_day - self.first_day).days >= MAX_DAYS:
            raise ValueError("a period covers at most 25 years")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def starts_at(self) -> datetime:
        """In UTC, like the stored moments: comparing within one zone is several times
        faster than across zones, and a report compares every fact's moment."""
        return datetime.combine(self.first_day, time(), self.zone).astimezone(UTC)

    @cached_property
    def ends_at(self) -> datetime:
        """The first moment after the period (UTC)."""
        next_day = self.last_day + timedelta(days=1)
        return datetime.combine(next_day, time(), self.zone).astimezone(UTC)

    def contains(self, at: datetime | None) -> TypeGuard[datetime]:
        return at is not None and self.starts_at <= at < self.ends_at

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def month_of(self, at: datetime) -> str:
        return f"{self.local_day(at):%Y-%m}"

    def months(self) -> list[str]:
        """Every month the period touches, in order (YYYY-MM)."""
        months, day = [], self.first_day.replace(day=1)
        while day <= self.last_day:
            months.append(f"{day:%Y-%m}")
            day = (day + timedelta(days=32)).replace(day=1)
        return months

    def days_between(self, earlier: datetime, later: datetime) -> int:
        """Whole calendar days from one moment's local day to the other's."""
        return (self.local_day(later) - self.local_day(earlier)).days
