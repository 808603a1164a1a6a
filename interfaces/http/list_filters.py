"""The filters of the coordination lists beyond place: what a coordinator asks of the
overview (signal, coach, status, referral destination) and of the waitlist (priority,
contact overdue, days waiting). Those on a stored field go to the view's database; those
on what is computed as of now (signals, days waiting) are applied to the computed rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class OverviewFilters:
    signal: str | None = None
    coach: str | None = None
    status: str | None = None
    destination: str | None = None

    def stored(self) -> tuple[tuple[str, str], ...]:
        """Fields of the view's documents to match in the database."""
        fields = (("coach", self.coach), ("status", self.status))
        return tuple((name, value) for name, value in fields if value is not None)

    def keeps(self, entry: dict[str, Any]) -> bool:
        """Whether a computed entry passes the filters the database could not apply."""
        if self.signal is not None and all(s["code"] != self.signal for s in entry["signals"]):
            return False
        if self.destination is not None:
            referrals = entry["referrals"].values()
            return any(r["destination"] == self.destination for r in referrals)
        return True

    def as_query(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WaitlistFilters:
    priority: int | None = None
    contact_overdue: bool | None = None
    min_days_waiting: int | None = None

    def keeps(self, family: dict[str, Any]) -> bool:
        """Whether a family waiting (as computed now) passes the filters."""
        return (
            (self.priority is None or family["priority"] == self.priority)
            and (self.contact_overdue is None or family["contact_overdue"] == self.contact_overdue)
            and (self.min_days_waiting is None or family["days_waiting"] >= self.min_days_waiting)
        )

    def as_query(self) -> dict[str, Any]:
        return asdict(self)
