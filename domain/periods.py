"""The 90-day periods of domain.md §2.10-11: policy of one municipality, so settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_REOPEN_WINDOW_DAYS = 90
DEFAULT_INACTIVITY_DAYS = 90
DEFAULT_RETENTION_YEARS = 20
"""A dossier is kept at least 20 years after the end of care (Jeugdwet art. 7.3.8)."""


@dataclass(frozen=True)
class CasePeriods:
    """How long after closing a dossier may be reopened, after how long without active
    help it is closed as inactive, and how many years after care it is kept."""

    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS
    retention_years: int = DEFAULT_RETENTION_YEARS

    def __post_init__(self) -> None:
        if self.reopen_window_days < 0 or self.inactivity_days < 1:
            raise ValueError("reopen window must be >= 0 days and inactivity period >= 1 day")
        if self.retention_years < DEFAULT_RETENTION_YEARS:
            raise ValueError(f"a dossier is kept at least {DEFAULT_RETENTION_YEARS} years")

    def within_reopen_window(self, closed_at: datetime, at: datetime) -> bool:
        """Reopening is possible up to `reopen_window_days` after closing."""
        return closed_at <= at <= closed_at + timedelta(days=self.reopen_window_days)

    def inactive_long_enough(self, inactive_since: datetime, at: datetime) -> bool:
        """Due for closure once the whole inactivity period has passed."""
        return at - inactive_since >= timedelta(days=self.inactivity_days)
