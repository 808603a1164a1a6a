"""The access log's writer on PostgreSQL, on a connection of its own: a request puts its
INSERT on the wire at once, from its own thread, and goes on building its response while
the server commits; a thread of the writer waits for the answer. Rows handed over while a
statement is under way are committed together by the next one (one transaction, one flush
of the WAL). Nothing is acknowledged before its commit; a failed statement fails every
write in it, and the next write opens a fresh connection.

A write may be conditional on a case's version (`Shown`): its rows are stored only if the
case has no later event, checked in the same statement against the case store's table, so
a read that showed a cached case learns whether that was still the latest state in the
round trip that logs it."""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, NamedTuple
from uuid import UUID

import psycopg
from psycopg import pq, sql
from psycopg.errors import error_from_result

log = logging.getLogger("gezinsregie.access")
MAX_BATCH = 500
"""Rows per statement at most (PostgreSQL allows 65,535 parameters in one)."""
PREPARED = b"gezinsregie_access_log_insert"
PREPARED_IF_LATEST = b"gezinsregie_access_log_insert_if_latest"
INT8, TEXT, TIMESTAMPTZ, UUID_OID = 20, 25, 1184, 2950  # type oids of the parameters


class Shown(NamedTuple):
    """The version of a case a read showed."""

    case_id: UUID
    version: int


Row = tuple[Any, ...]


class Handed(NamedTuple):
    rows: list[Row]
    shown: Shown | None
    stored: Future[bool]
    """True once committed; False if `shown` was no longer the latest (nothing stored)."""


class AccessLogClosedError(RuntimeError):
    """Rows handed to a writer that has been closed."""


class LogWriter:
    """Commits the rows handed to `submit`, in order; `at` must be the first column.
    `events`: the case store's table, for writes conditional on a case's version."""

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        table: sql.Identifier,
        columns: Sequence[str],
        events: sql.Identifier | None = None,
    ) -> None:
        self.connect, self.table, self.columns, self.events = connect, table, columns, events
        self.types = [TIMESTAMPTZ] + [TEXT] * (len(columns) - 1)
        self.types_if_latest = [INT8, *self.types, UUID_OID, INT8]
        self.connection: psycopg.Connection[Any] | None = None
        self.changed = threading.Condition()
        self.in_flight: list[Handed] = []
        """The writes of the statement on the wire, if any; only the waiting thread reads."""
        self.waiting: list[Handed] = []
        self.closing = False
        self._open()
        self.thread = threading.Thread(target=self._run, name="access-log-writer", daemon=True)
        self.thread.start()

    def submit(self, rows: list[Row], shown: Shown | None = None) -> Future[bool]:
        """A future that is done once the rows are committed (True), found to be of a
        version that is no longer the latest (False, nothing stored), or failed."""
        if shown is not None and self.events is None:
            raise ValueError("this writer does not know the case store's table")
        handed = Handed(list(rows), shown, Future())
        if not rows and shown is None:  # nothing to commit
            handed.stored.set_result(True)
            return handed.stored
        if not rows:
            raise ValueError("a write conditional on a case's version needs rows to store")
        with self.changed:
            if self.closing:
                handed.stored.set_exception(AccessLogClosedError("the access log is closed"))
            elif self.in_flight or self.waiting or self.connection is None:
                self.waiting.append(handed)  # (re)connecting is left to the writer's thread
                self.changed.notify_all()
            else:
                self._send_or_fail([handed])
        return handed.stored

    def close(self) -> None:
        """Commit what was handed over, then stop and close the connection."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()
        self.thread.join()
        if self.connection is not None:
            self.connection.close()

    def _run(self) -> None:
        while True:
            with self.changed:
                while not self.in_flight and not (self.closing and not self.waiting):
                    if self.waiting:  # the previous statement could not be sent
                        self._send_or_fail(self._next_batch())
                    else:
                        self.changed.wait()
                if not self.in_flight:
                    return
                done = self.in_flight
            stored, error = self._answer(len(done))
            with self.changed:
                self.in_flight = []
                if error is not None:
                    self._drop(error, len(done))
                if self.waiting:
                    self._send_or_fail(self._next_batch())
            for number, handed in enumerate(done):
                if error is None:
                    handed.stored.set_result(number in stored)
                else:
                    handed.stored.set_exception(error)

    def _next_batch(self) -> list[Handed]:
        batch: list[Handed] = []
        while self.waiting and sum(len(h.rows) for h in batch) < MAX_BATCH:
            batch.append(self.waiting.pop(0))
        return batch

    def _send_or_fail(self, batch: list[Handed]) -> None:
        """Put one statement with the batch's rows on the wire (holding `changed`)."""
        try:
            self._send(batch)
        except Exception as error:
            self._drop(error, len(batch))
            for handed in batch:
                handed.stored.set_exception(error)
            return
        self.in_flight = batch
        self.changed.notify_all()

    def _send(self, batch: list[Handed]) -> None:
        """A plain INSERT; if a write is conditional, each row goes with the number of its
        write in the batch and the version shown (see `_insert_if_latest`)."""
        pgconn = self._open()
        if any(handed.shown for handed in batch):
            rows = [
                (number, *row, *(handed.shown or (None, None)))
                for number, handed in enumerate(batch)
                for row in handed.rows
            ]
            prepared, statement, types = (
                PREPARED_IF_LATEST, self._insert_if_latest, self.types_if_latest
            )  # fmt: skip
        else:
            rows = [row for handed in batch for row in handed.rows]
            prepared, statement, types = PREPARED, self._insert, self.types
        values = [None if v is None else str(v).encode() for row in rows for v in row]
        if len(rows) == 1:
            pgconn.send_query_prepared(prepared, values)
        else:
            pgconn.send_query_params(statement(len(rows)), values, types * len(rows))
        while pgconn.flush():  # only for rows bigger than the socket's buffer
            select.select([], [pgconn.socket], [])

    def _answer(self, writes: int) -> tuple[set[int], Exception | None]:
        """Wait (without the GIL) for the statement's answer: the numbers of the writes
        stored (all of them for a plain INSERT), and the error if it failed."""
        assert self.connection is not None
        pgconn = self.connection.pgconn
        stored: set[int] = set()
        error: Exception | None = None
        try:
            while True:
                while pgconn.is_busy():
                    select.select([pgconn.socket], [], [])
                    pgconn.consume_input()
                result = pgconn.get_result()
                if result is None:
                    return stored, error
                if result.status == pq.ExecStatus.COMMAND_OK:
                    stored.update(range(writes))
                elif result.status != pq.ExecStatus.TUPLES_OK and error is None:
                    error = error_from_result(result)
                for tuple_number in range(result.ntuples):
                    stored.add(int(result.get_value(tuple_number, 0) or b"-1"))
        except Exception as failed:
            return stored, failed

    def _open(self) -> pq.abc.PGconn:
        if self.connection is None:
            connection = self.connect()
            for name, statement, types in (
                (PREPARED, self._insert(1), self.types),
                (PREPARED_IF_LATEST, self._insert_if_latest(1), self.types_if_latest),
            ):
                result = connection.pgconn.prepare(name, statement, types)
                if result.status != pq.ExecStatus.COMMAND_OK:
                    connection.close()
                    raise error_from_result(result)
            connection.pgconn.nonblocking = 1
            self.connection = connection
        return self.connection.pgconn

    def _drop(self, error: Exception, writes: int) -> None:
        log.warning("access log statement for %d reads failed: %r", writes, error)
        if self.connection is not None:
            self.connection.close()  # a fresh connection for the next statement
            self.connection = None

    def _insert(self, count: int) -> bytes:
        """INSERT of `count` rows, with numbered parameters."""
        insert = sql.SQL("INSERT INTO {} ({}) VALUES {}").format(
            self.table,
            sql.SQL(", ").join(map(sql.Identifier, self.columns)),
            self._values(count, len(self.types)),
        )
        return insert.as_string().encode()

    def _insert_if_latest(self, count: int) -> bytes:
        """INSERT of those of `count` rows (numbered parameters) whose shown version, if
        any, is still the latest; it answers the numbers of the writes it stored."""
        latest = (
            sql.SQL("NOT EXISTS (SELECT FROM {} e WHERE e.originator_id = h.shown_case "
                    "AND e.originator_version > h.shown_version)").format(self.events)
            if self.events is not None
            else sql.SQL("FALSE")
        )  # fmt: skip
        columns = sql.SQL(", ").join(map(sql.Identifier, self.columns))
        insert = sql.SQL(
            "WITH handed (write_number, {columns}, shown_case, shown_version) AS (VALUES {rows}), "
            "kept AS (SELECT * FROM handed h WHERE h.shown_case IS NULL OR {latest}), "
            "stored AS (INSERT INTO {table} ({columns}) SELECT {columns} FROM kept) "
            "SELECT DISTINCT write_number FROM kept"
        ).format(
            columns=columns,
            rows=self._values(count, len(self.types_if_latest)),
            latest=latest,
            table=self.table,
        )
        return insert.as_string().encode()

    @staticmethod
    def _values(count: int, width: int) -> sql.Composable:
        """`count` rows of `width` numbered parameters: ($1, $2), ($3, $4)..."""
        return sql.SQL(", ").join(
            sql.SQL("({})").format(
                sql.SQL(", ").join(sql.SQL(f"${r * width + c + 1}") for c in range(width))
            )
            for r in range(count)
        )
