"""Who recorded a fact, when it happened, and when it was recorded (what auditors replay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidInputError, OccurredAtError

PLANNING_HORIZON_YEARS = 5
"""A date set for later (a next evaluation, an agreement's due date, the end of an extended
referral) lies at most this many years after the fact that sets it: youth care is planned
in months, and a date of 9999 is a typing error, not a plan."""


@dataclass(frozen=True)
class Actor:
    """The person behind a command: subject, their organisation and role."""

    subject: str
    organisation: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "organisation": self.organisation, "role": self.role}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Actor:
        return cls(subject=data["subject"], organisation=data["organisation"], role=data["role"])


@dataclass(frozen=True)
class Provenance:
    """The context of one command: the actor, when the fact happened, when it is recorded."""

    actor: Actor
    occurred_at: datetime
    recorded_at: datetime

    def __post_init__(self) -> None:
        for name in ("occurred_at", "recorded_at"):
            if getattr(self, name).tzinfo is None:
                raise OccurredAtError(f"{name} must carry a timezone")

    def check_not_in_future(self) -> None:
        """A fact is recorded after it happened, never before."""
        if self.occurred_at > self.recorded_at:
            raise OccurredAtError(
                f"occurred_at {self.occurred_at.isoformat()} lies in the future "
                f"(recorded at {self.recorded_at.isoformat()})"
            )

    def check_not_before(self, earliest: datetime, what: str) -> None:
        """A fact about a case cannot precede the moment the case (or a phase) began."""
        if self.occurred_at < earliest:
            raise OccurredAtError(
                f"occurred_at {self.occurred_at.isoformat()} is before {what} "
                f"({earliest.isoformat()})"
            )

    def check_planned(self, day: date, what: str, field: str) -> None:
        """A date set for later lies between the fact that sets it and the planning horizon."""
        decided = self.occurred_at.date()
        if day < decided:
            raise InvalidInputError(f"{what} cannot lie before it is decided ({decided})", field)
        horizon = decided.replace(year=decided.year + PLANNING_HORIZON_YEARS, day=1)
        if day > horizon:
            raise InvalidInputError(
                f"{what} ({day}) lies more than {PLANNING_HORIZON_YEARS} years after it is "
                f"decided ({decided})",
                field,
            )
