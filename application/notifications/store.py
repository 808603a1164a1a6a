"""The notification store, written once in SQL both databases speak; `sqlite_store.py` and
`postgres_store.py` give it a connection. The outbox's slots and the position in the event
log they were made up to are written in one transaction: exactly once across crashes."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import IntegrityError

from application.notifications.records import Backlog, NewSlot, Slot, Status, Subscription
from application.notifications.tables import (
    SLOT_COLUMNS,
    SUBSCRIPTION_COLUMNS,
    TRACKED_AS,
    Run,
    slot_of,
    subscription_of,
)


class NotificationStore(ABC):
    """Subscriptions, the outbox, and the notifier's position in the event log."""

    t: str
    """The tables' prefix (a schema on PostgreSQL)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Run]: ...

    @abstractmethod
    def close(self) -> None: ...

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.transaction() as run:
            return run(statement, params)

    def add(self, subscription: Subscription) -> None:
        values = dict(vars(subscription))
        values["event_types"] = json.dumps(sorted(subscription.event_types))
        values["status"] = str(subscription.status)
        marks = ", ".join("?" for _ in values)
        statement = f"INSERT INTO {self.t}subscriptions ({SUBSCRIPTION_COLUMNS}) VALUES ({marks})"
        self._rows(statement, list(values.values()))

    def subscriptions(self) -> list[Subscription]:
        statement = f"SELECT {SUBSCRIPTION_COLUMNS} FROM {self.t}subscriptions"
        return [subscription_of(r) for r in self._rows(statement + " ORDER BY created_at")]

    def subscription(self, subscription_id: str) -> Subscription | None:
        rows = self._rows(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM {self.t}subscriptions WHERE subscription_id = ?",
            (subscription_id,),
        )
        return subscription_of(rows[0]) if rows else None

    def position(self) -> int:
        rows = self._rows(
            f"SELECT position FROM {self.t}notifier_tracking WHERE name = ?", (TRACKED_AS,)
        )
        return int(rows[0]["position"]) if rows else 0

    def append(self, slots: Sequence[NewSlot], position: int, after: int) -> None:
        """Number and keep these notifications and move the position from `after` to
        `position`, in one transaction; IntegrityError (nothing kept) if it moved."""
        with self.transaction() as run:
            moved = run(
                f"UPDATE {self.t}notifier_tracking SET position = ? WHERE name = ?"
                " AND position = ? RETURNING position",
                (position, TRACKED_AS, after),
            )
            if not moved:
                raise IntegrityError(f"notifier moved from {after}: batch not applied")
            for slot in slots:
                self._append_one(run, slot)

    def _append_one(self, run: Run, slot: NewSlot) -> None:
        numbered = run(
            f"UPDATE {self.t}subscriptions SET last_sequence = last_sequence + 1"
            " WHERE subscription_id = ? RETURNING last_sequence",
            (slot.subscription_id,),
        )
        run(
            f"INSERT INTO {self.t}notifications ({SLOT_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL)",
            (slot.subscription_id, numbered[0]["last_sequence"], str(uuid4()), str(slot.case_id),
             slot.type, slot.time, slot.position),
        )  # fmt: skip

    def pending(self, subscription_id: str, limit: int) -> list[Slot]:
        """Notifications not delivered yet, in sequence order."""
        return [
            slot_of(r)
            for r in self._rows(
                f"SELECT {SLOT_COLUMNS} FROM {self.t}notifications WHERE subscription_id = ?"
                " AND delivered_at IS NULL ORDER BY sequence LIMIT ?",
                (subscription_id, limit),
            )
        ]

    def after(self, subscription_id: str, sequence: int, limit: int) -> list[Slot]:
        """The catch-up feed: every notification after `sequence`, delivered or not."""
        return [
            slot_of(r)
            for r in self._rows(
                f"SELECT {SLOT_COLUMNS} FROM {self.t}notifications WHERE subscription_id = ?"
                " AND sequence > ? ORDER BY sequence LIMIT ?",
                (subscription_id, sequence, limit),
            )
        ]

    def backlog(self, subscription_id: str) -> Backlog:
        row = self._rows(
            f"SELECT COUNT(*) AS pending, MIN(sequence) AS first FROM {self.t}notifications"
            " WHERE subscription_id = ? AND delivered_at IS NULL",
            (subscription_id,),
        )[0]
        first = row["first"]
        return Backlog(int(row["pending"]), None if first is None else int(first))

    def delivered(self, slot: Slot, at: datetime) -> None:
        """Record a delivery, and that the subscriber answers again."""
        with self.transaction() as run:
            run(
                f"UPDATE {self.t}notifications SET delivered_at = ?, attempts = attempts + 1,"
                " last_error = NULL WHERE subscription_id = ? AND sequence = ?",
                (at, slot.subscription_id, slot.sequence),
            )
            run(
                f"UPDATE {self.t}subscriptions SET failing_since = NULL, failures = 0,"
                " next_attempt_at = NULL WHERE subscription_id = ? AND failures > 0",
                (slot.subscription_id,),
            )

    def failed(self, slot: Slot, error: str, at: datetime, retry_at: datetime | None) -> None:
        """A failed attempt: the subscription waits until `retry_at` (None: disabled)."""
        with self.transaction() as run:
            run(
                f"UPDATE {self.t}notifications SET attempts = attempts + 1, last_error = ?"
                " WHERE subscription_id = ? AND sequence = ?",
                (error, slot.subscription_id, slot.sequence),
            )
            run(
                f"UPDATE {self.t}subscriptions SET failing_since = COALESCE(failing_since, ?),"
                " failures = failures + 1, next_attempt_at = ?, last_error = ?,"
                " status = ?, disabled_reason = ? WHERE subscription_id = ?",
                (at, retry_at, error, Status.ACTIVE if retry_at else Status.DISABLED,
                 None if retry_at else error, slot.subscription_id),
            )  # fmt: skip

    def redeliver(self, subscription_id: str, from_sequence: int | None) -> int:
        """Send again from `from_sequence` (None: what was not delivered), and enable the
        subscription; how many notifications will be sent."""
        with self.transaction() as run:
            if from_sequence is not None:
                run(
                    f"UPDATE {self.t}notifications SET delivered_at = NULL"
                    " WHERE subscription_id = ? AND sequence >= ?",
                    (subscription_id, from_sequence),
                )
            run(
                f"UPDATE {self.t}subscriptions SET status = ?, disabled_reason = NULL,"
                " failing_since = NULL, failures = 0, next_attempt_at = NULL"
                " WHERE subscription_id = ?",
                (Status.ACTIVE, subscription_id),
            )
            count = run(
                f"SELECT COUNT(*) AS n FROM {self.t}notifications"
                " WHERE subscription_id = ? AND delivered_at IS NULL",
                (subscription_id,),
            )
        return int(count[0]["n"])
