"""The notification store on the embedded default: `notifications.sqlite` in the data dir
(its own file: the API and the dispatcher process both open it, WAL lets them)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from typing import Any

from application.notifications.store import NotificationStore
from application.notifications.tables import Run, schema
from application.settings import Settings


def plain(value: Any) -> Any:
    """Moments as ISO 8601 text (in UTC, so text order is time order), enums as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


class SQLiteNotificationStore(NotificationStore):
    t = ""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / "notifications.sqlite"
        self.connection = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=10
        )
        self.connection.row_factory = sqlite3.Row
        self.lock = threading.Lock()
        self.connection.execute("PRAGMA journal_mode=WAL")
        with self.transaction() as run:
            for statement in schema("", "INTEGER", "TEXT"):
                run(statement)

    @contextmanager
    def transaction(self) -> Iterator[Run]:
        def run(statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
            cursor = self.connection.execute(statement, [plain(p) for p in params])
            return [dict(row) for row in cursor.fetchall()]

        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield run
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()
