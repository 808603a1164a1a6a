"""What the notification store holds: subscriptions with their delivery state, and the
outbox's slots (one per notification, numbered per subscription from 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class Status(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # the endpoint answered 410, or did not answer for days


@dataclass(frozen=True)
class Subscription:
    """An organisation's endpoint and the notification types it wants. `start_after`:
    the store's position when it subscribed (it hears of what follows)."""

    subscription_id: str
    organisation: str
    url: str
    event_types: frozenset[str]
    secret: str
    created_at: datetime
    start_after: int
    status: Status = Status.ACTIVE
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    failures: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    last_sequence: int = 0

    @property
    def wants_delivery(self) -> bool:
        return self.status is Status.ACTIVE

    def wants(self, notification_type: str) -> bool:
        return self.status is Status.ACTIVE and notification_type in self.event_types


@dataclass(frozen=True)
class NewSlot:
    """A notification to number and keep: the case stays internal (for per-case order
    and the check, when it leaves, that the subscriber may still read it)."""

    subscription_id: str
    case_id: UUID
    type: str
    time: datetime
    position: int


@dataclass(frozen=True)
class Slot:
    subscription_id: str
    sequence: int
    notification_id: str
    case_id: UUID
    type: str
    time: datetime
    position: int
    delivered_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class Backlog:
    """What waits for a subscriber: how many, and the first of them."""

    pending: int
    first_pending: int | None
