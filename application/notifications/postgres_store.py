"""The notification store on PostgreSQL: `subscriptions`, `notifications` and
`notifier_tracking` in the deployment's schema, through a small pool."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from application.notifications.store import NotificationStore
from application.notifications.tables import Run, schema
from application.persistence import ensure_postgres_schema, postgres_conninfo
from application.postgres_outage import fail_fast, pooled_connection
from application.settings import Settings


class PostgresNotificationStore(NotificationStore):
    def __init__(self, settings: Settings) -> None:
        ensure_postgres_schema(settings)
        self.t = f'"{settings.postgres_schema}".'  # the name is checked by Settings
        self.pool: ConnectionPool[Any] = ConnectionPool(
            postgres_conninfo(settings),
            min_size=1,
            max_size=4,
            kwargs={"row_factory": dict_row},
            open=False,
        )
        fail_fast(self.pool)
        self.pool.open()
        with self.transaction() as run:
            run("SELECT pg_advisory_xact_lock(hashtext('gezinsregie-notifications-setup'))")
            for statement in schema(self.t, "BIGINT", "TIMESTAMPTZ"):
                run(statement)

    @contextmanager
    def transaction(self) -> Iterator[Run]:
        with pooled_connection(self.pool) as connection, connection.transaction():

            def run(statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
                values = [p.value if isinstance(p, Enum) else p for p in params]
                cursor = connection.execute(statement.replace("?", "%s"), values)
                return list(cursor.fetchall()) if cursor.description else []

            yield run

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Once more when the connection was found broken (after a database restart): the
        pool has checked its other connections meanwhile, so the retry gets a working one."""
        try:
            return super()._rows(statement, params)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            return super()._rows(statement, params)

    def close(self) -> None:
        self.pool.close()
