"""The case store's PostgreSQL recorder: a save is one statement, one round trip.

The library's recorder saves in a transaction of two round trips: LOCK TABLE (EXCLUSIVE,
so that notification ids are committed in the order they are issued), NOTIFY and INSERT,
then COMMIT. Between the two the saving thread needs the GIL back while the lock is held;
with a dozen busy request threads that stretched every save's hold on the lock to ~2 ms
and capped the whole store at ~450 saves/s, one at a time. Here a database function takes
the same lock, checks that the versions are free, notifies and inserts, and the statement
commits on its own (the library's connections are autocommit): the lock is held for the
insert and the commit only, with no client in between."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier


class OneRoundTripRecorder(PostgresApplicationRecorder):
    """Like the library's recorder, with the same lock and the same NOTIFY, in one statement."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        function = f"{self.events_table_name}_insert_locked"
        self.check_identifier_length(function)
        names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "function": Identifier(function),
            "event": Identifier(self.stored_event_type_name),
            "channel": Identifier(self.channel_name),
        }
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
                "DECLARE event {schema}.{event}; BEGIN "
                "SET LOCAL lock_timeout = '{timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "FOREACH event IN ARRAY events LOOP "  # one primary-key lookup per event
                "IF EXISTS (SELECT FROM {schema}.{table} t "
                "WHERE t.originator_id = event.originator_id "
                "AND t.originator_version = event.originator_version) THEN RETURN; END IF; "
                "END LOOP; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state FROM unnest(events) "
                "RETURNING notification_id; "
                "END; $BODY$"
            ).format(timeout=self.datastore.lock_timeout, **names)
        )
        self.insert_locked = SQL("SELECT id FROM {schema}.{function}(%s) AS inserted(id)").format(
            **names
        )
        self.select_part = SQL(
            "SELECT e.* FROM {schema}.{table} AS e, uuid_send(e.originator_id) AS id"
            " WHERE notification_id BETWEEN %s AND %s AND mod(get_byte(id, 12)::bigint"
            " * 16777216 + get_byte(id, 13) * 65536 + get_byte(id, 14) * 256 + get_byte(id, 15),"
            " %s) = %s ORDER BY notification_id"
        ).format(**names)
        """The events of one partition of the cases: the low 32 bits of the case id (its last
        four bytes) modulo the count equal the index (`projections.runner.Partition`);
        taken from the id's bytes rather than its text, the filter costs the server a third
        as much (each process of a rebuild reads the whole stretch)."""
        self.select_from = SQL("SELECT * FROM {schema}.{table}").format(**names)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_partition(self, start: int, stop: int, index: int, count: int) -> list[Notification]:
        """The events from `start` up to `stop` (a short stretch of the log: the query reads
        all of it) of the cases in partition `index` of `count`: a rebuild split over
        processes has the database leave out the other partitions' events, rather than
        each process receiving and building them all."""
        return self._notifications(self.select_part, [start, stop, count, index])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """The library's query (from `start`, at most `limit`, up to `stop`, of `topics`),
        its rows received in binary (`_notifications`)."""
        conditions: list[SQL] = []
        params: list[Any] = []
        if start is not None:
            conditions.append(
                SQL("notification_id >= %s" if inclusive_of_start else "notification_id > %s")
            )
            params.append(start)
        if stop is not None:
            conditions.append(SQL("notification_id <= %s"))
            params.append(stop)
        if topics:
            conditions.append(SQL("topic = ANY(%s)"))
            params.append(list(topics))
        where = SQL(" WHERE ") + SQL(" AND ").join(conditions) if conditions else SQL("")
        statement = self.select_from + where + SQL(" ORDER BY notification_id LIMIT %s")
        return self._notifications(statement, [*params, limit])

    def _notifications(self, statement: Composed, params: list[Any]) -> list[Notification]:
        """Events as notifications, received in binary: as text, the server writes each
        event's state as hex and the client parses it back, twice its size (measured on
        200,000 events: a third less CPU on either side)."""
        connection = self.datastore.get_connection()
        with connection as conn, conn.cursor(binary=True) as cursor:
            cursor.execute(statement, params, prepare=True)
            return [
                Notification(
                    id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in cursor.fetchall()
            ]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **_: Any) -> Sequence[int]:
        """Insert and commit the events; their notification ids, in order.

        A version already taken (another process saved the case first) is the library's
        IntegrityError, as from its own recorder; the statement finds it under the lock and
        inserts nothing, rather than failing on the unique key, which PostgreSQL would log
        as an ERROR for what is a routine refusal with several API processes."""
        if not stored_events:
            return []
        events = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(self.insert_locked, (events,), prepare=True)
            ids = [row["id"] for row in cursor.fetchall()]
        if len(ids) != len(events):
            raise IntegrityError("a version of this aggregate has been recorded already")
        return ids
