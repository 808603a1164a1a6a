"""The access log's writer on PostgreSQL, on a connection of its own: a request puts its
INSERT on the wire at once, from its own thread, and goes on building its response while
the server commits; a thread of the writer waits for the answer. Rows handed over while a
statement is under way are committed together by the next one (one transaction, one flush
of the WAL). Nothing is acknowledged before its commit; a failed statement fails every
write in it, and the next write opens a fresh connection."""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import psycopg
from psycopg import pq, sql
from psycopg.errors import error_from_result

log = logging.getLogger("gezinsregie.access")
MAX_BATCH = 500
"""Rows per statement at most (PostgreSQL allows 65,535 parameters in one)."""
PREPARED = b"gezinsregie_access_log_insert"
TEXT, TIMESTAMPTZ = 25, 1184  # type oids, so the server parses the text parameters

Row = tuple[Any, ...]
Handed = tuple[list[Row], "Future[None]"]


class AccessLogClosedError(RuntimeError):
    """Rows handed to a writer that has been closed."""


class LogWriter:
    """Commits the rows handed to `submit`, in order; `at` must be the first column."""

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        table: sql.Identifier,
        columns: Sequence[str],
    ) -> None:
        self.connect, self.table, self.columns = connect, table, columns
        self.types = [TIMESTAMPTZ] + [TEXT] * (len(columns) - 1)
        self.connection: psycopg.Connection[Any] | None = None
        self.changed = threading.Condition()
        self.in_flight: list[Future[None]] = []
        """The writes of the statement on the wire, if any; only the waiting thread reads."""
        self.waiting: list[Handed] = []
        self.closing = False
        self._open()
        self.thread = threading.Thread(target=self._run, name="access-log-writer", daemon=True)
        self.thread.start()

    def submit(self, rows: list[Row]) -> Future[None]:
        """A future that is done once the rows are committed (or failed to be)."""
        future: Future[None] = Future()
        with self.changed:
            if self.closing:
                future.set_exception(AccessLogClosedError("the access log is closed"))
            elif self.in_flight or self.waiting:
                self.waiting.append((list(rows), future))
            else:
                self._send_or_fail([(list(rows), future)])
        return future

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
            error = self._answer()
            with self.changed:
                self.in_flight = []
                if error is not None:
                    self._drop(error, len(done))
                if self.waiting:
                    self._send_or_fail(self._next_batch())
            for future in done:
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

    def _next_batch(self) -> list[Handed]:
        batch: list[Handed] = []
        while self.waiting and sum(len(rows) for rows, _ in batch) < MAX_BATCH:
            batch.append(self.waiting.pop(0))
        return batch

    def _send_or_fail(self, batch: list[Handed]) -> None:
        """Put one statement with the batch's rows on the wire (holding `changed`)."""
        try:
            self._send([row for rows, _ in batch for row in rows])
        except Exception as error:
            self._drop(error, len(batch))
            for _, future in batch:
                future.set_exception(error)
            return
        self.in_flight = [future for _, future in batch]
        self.changed.notify_all()

    def _send(self, rows: list[Row]) -> None:
        pgconn = self._open()
        values = [None if v is None else str(v).encode() for row in rows for v in row]
        if len(rows) == 1:
            pgconn.send_query_prepared(PREPARED, values)
        else:
            pgconn.send_query_params(self._insert(len(rows)), values, self.types * len(rows))
        while pgconn.flush():  # only for rows bigger than the socket's buffer
            select.select([], [pgconn.socket], [])

    def _answer(self) -> Exception | None:
        """Wait (without the GIL) for the statement's answer; the error, if it failed."""
        assert self.connection is not None
        pgconn = self.connection.pgconn
        error: Exception | None = None
        try:
            while True:
                while pgconn.is_busy():
                    select.select([pgconn.socket], [], [])
                    pgconn.consume_input()
                result = pgconn.get_result()
                if result is None:
                    return error
                if result.status != pq.ExecStatus.COMMAND_OK and error is None:
                    error = error_from_result(result)
        except Exception as failed:
            return failed

    def _open(self) -> pq.abc.PGconn:
        if self.connection is None:
            connection = self.connect()
            result = connection.pgconn.prepare(PREPARED, self._insert(1), self.types)
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
        width = len(self.columns)
        rows = [
            sql.SQL("({})").format(
                sql.SQL(", ").join(sql.SQL(f"${r * width + c + 1}") for c in range(width))
            )
            for r in range(count)
        ]
        insert = sql.SQL("INSERT INTO {} ({}) VALUES {}").format(
            self.table,
            sql.SQL(", ").join(map(sql.Identifier, self.columns)),
            sql.SQL(", ").join(rows),
        )
        return insert.as_string().encode()
