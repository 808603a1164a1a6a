"""The notification store's tables, in SQL both databases speak, and its rows as records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.notifications.records import Slot, Status, Subscription

TRACKED_AS = "notifier"
SUBSCRIPTION_COLUMNS = (
    "subscription_id, organisation, url, event_types, secret, created_at, start_after, status,"
    " disabled_reason, failing_since, failures, next_attempt_at, last_error, last_sequence"
)
SLOT_COLUMNS = (
    "subscription_id, sequence, notification_id, case_id, type, time, position, delivered_at,"
    " attempts, last_error"
)


class Run(Protocol):
    """Run one statement (`?` placeholders) in the open transaction; the rows as dicts."""

    def __call__(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...


def schema(t: str, bigint: str, moment: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {t}subscriptions (subscription_id TEXT PRIMARY KEY,"
        " organisation TEXT NOT NULL, url TEXT NOT NULL, event_types TEXT NOT NULL,"
        f" secret TEXT NOT NULL, created_at {moment} NOT NULL, start_after {bigint} NOT NULL,"
        f" status TEXT NOT NULL, disabled_reason TEXT, failing_since {moment},"
        f" failures INTEGER NOT NULL, next_attempt_at {moment}, last_error TEXT,"
        f" last_sequence {bigint} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {t}notifications (subscription_id TEXT NOT NULL,"
        f" sequence {bigint} NOT NULL, notification_id TEXT NOT NULL, case_id TEXT NOT NULL,"
        f" type TEXT NOT NULL, time {moment} NOT NULL, position {bigint} NOT NULL,"
        f" delivered_at {moment}, attempts INTEGER NOT NULL, last_error TEXT,"
        " PRIMARY KEY (subscription_id, sequence))",
        f"CREATE INDEX IF NOT EXISTS notifications_pending ON {t}notifications"
        " (subscription_id, sequence) WHERE delivered_at IS NULL",
        f"CREATE TABLE IF NOT EXISTS {t}notifier_tracking (name TEXT PRIMARY KEY,"
        f" position {bigint} NOT NULL)",
        f"INSERT INTO {t}notifier_tracking (name, position) VALUES ('{TRACKED_AS}', 0)"
        " ON CONFLICT (name) DO NOTHING",
    ]


def moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def subscription_of(row: dict[str, Any]) -> Subscription:
    return Subscription(
        **{
            **row,
            "event_types": frozenset(json.loads(row["event_types"])),
            "status": Status(row["status"]),
            "created_at": moment(row["created_at"]),
            "failing_since": moment(row["failing_since"]),
            "next_attempt_at": moment(row["next_attempt_at"]),
        }
    )


def slot_of(row: dict[str, Any]) -> Slot:
    return Slot(
        **{
            **row,
            "case_id": UUID(row["case_id"]),
            "time": moment(row["time"]),
            "delivered_at": moment(row["delivered_at"]),
        }
    )
