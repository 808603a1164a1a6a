"""The 90-day periods of domain.md §2.10-11: policy of one municipality, so settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_REOPEN_WINDOW_DAYS = 90
DEFAULT_INACTIVITY_DAYS = 90


@dataclass(frozen=True)
class CasePeriods:
    """How long after closing a dossier may be reopened, and after how long
    without active help it is closed as inactive."""

    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS

    def __post_init__(self) -> None:
        if self.reopen_window_days < 0 or self.inactivity_days < 1:
            raise ValueError("reopen window must be >= 0 days and inactivity period >= 1 day")

    def within_reopen_window(self, closed_at: datetime, at: datetime) -> bool:
        """Reopening is possible up to `reopen_window_days` after closing."""
        return closed_at <= at <= closed_at + timedelta(days=self.reopen_window_days)

    def inactive_long_enough(self, inactive_since: datetime, at: datetime) -> bool:
        """Due for closure once the whole inactivity period has passed."""
        return at - inactive_since >= timedelta(days=self.inactivity_days)
