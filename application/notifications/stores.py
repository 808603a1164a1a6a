"""The notification store on the configured database."""

from __future__ import annotations

from application.notifications.postgres_store import PostgresNotificationStore
from application.notifications.sqlite_store import SQLiteNotificationStore
from application.notifications.store import NotificationStore
from application.settings import Settings


def open_notification_store(settings: Settings) -> NotificationStore:
    if settings.store == "sqlite":
        return SQLiteNotificationStore(settings)
    return PostgresNotificationStore(settings)
