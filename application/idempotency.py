"""Idempotency keys: a client that retries a command (its connection timed out) sends the
same `Idempotency-Key` and gets the first answer again instead of a second fact or a 409.

Each key belongs to one user and is kept for a day. It is claimed before the command
runs and holds the answer once it is there, in the same database as the events, so every
process of a deployment sees it. A claim whose answer never came (the process stopped in
between) is taken over after `ABANDONED_AFTER`: a crash in that instant may then apply a
command twice, which the key cannot tell from a command that never ran."""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from application.persistence import ensure_postgres_schema, postgres_conninfo
from application.postgres_outage import fail_fast, pooled_connection
from application.settings import Settings

KEPT_FOR = timedelta(days=1)
ABANDONED_AFTER = timedelta(minutes=1)


class Claim(StrEnum):
    NEW = "new"  # run the command, then `complete` (or `release` when it failed)
    REPLAY = "replay"  # the answer of the first request
    OTHER_REQUEST = "other_request"  # the key was used for another request
    IN_PROGRESS = "in_progress"  # the first request is still running


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


@dataclass(frozen=True)
class Claimed:
    claim: Claim
    answer: Answer | None = None


class IdempotencyKeys(ABC):
    """Keys per user: `claim` before running a request, `complete` or `release` after."""

    def claim(self, owner: str, key: str, fingerprint: str, now: datetime) -> Claimed:
        row = self._claim(owner, key, fingerprint, now)
        if row is None:
            return Claimed(Claim.NEW)
        if row["fingerprint"] != fingerprint:
            return Claimed(Claim.OTHER_REQUEST)
        if row["status"] is None:
            return Claimed(Claim.IN_PROGRESS)
        answer = Answer(row["status"], row["content_type"], bytes(row["body"]), row["location"])
        return Claimed(Claim.REPLAY, answer)

    @abstractmethod
    def _claim(
        self, owner: str, key: str, fingerprint: str, now: datetime
    ) -> dict[str, Any] | None:
        """Insert the claim and answer None; or answer the row that holds the key (a claim
        older than ABANDONED_AFTER without answer, or one older than KEPT_FOR, is replaced)."""

    @abstractmethod
    def complete(self, owner: str, key: str, answer: Answer) -> None: ...

    @abstractmethod
    def release(self, owner: str, key: str) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


COLUMNS = "owner, key, fingerprint, claimed_at, status, content_type, body, location"


class SQLiteIdempotencyKeys(IdempotencyKeys):
    """`idempotency.sqlite` in the data dir (not the event store: a key is not a fact)."""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / "idempotency.sqlite"
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.lock = threading.Lock()
        with self.lock:
            self.connection.executescript(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                "CREATE TABLE IF NOT EXISTS idempotency_keys (owner TEXT NOT NULL,"
                " key TEXT NOT NULL, fingerprint TEXT NOT NULL, claimed_at TEXT NOT NULL,"
                " status INTEGER, content_type TEXT, body BLOB, location TEXT,"
                " PRIMARY KEY (owner, key));"
            )

    def _claim(
        self, owner: str, key: str, fingerprint: str, now: datetime
    ) -> dict[str, Any] | None:
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                self.connection.execute(
                    "DELETE FROM idempotency_keys WHERE claimed_at < ?"
                    " OR (owner = ? AND key = ? AND status IS NULL AND claimed_at < ?)",
                    ((now - KEPT_FOR).isoformat(), owner, key, (now - ABANDONED_AFTER).isoformat()),
                )
                row = self.connection.execute(
                    f"SELECT {COLUMNS} FROM idempotency_keys WHERE owner = ? AND key = ?",
                    (owner, key),
                ).fetchone()
                if row is None:
                    self.connection.execute(
                        "INSERT INTO idempotency_keys (owner, key, fingerprint, claimed_at)"
                        " VALUES (?, ?, ?, ?)",
                        (owner, key, fingerprint, now.isoformat()),
                    )
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        return None if row is None else dict(row)

    def complete(self, owner: str, key: str, answer: Answer) -> None:
        with self.lock:
            self.connection.execute(
                "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?, location = ?"
                " WHERE owner = ? AND key = ?",
                (answer.status, answer.content_type, answer.body, answer.location, owner, key),
            )

    def release(self, owner: str, key: str) -> None:
        with self.lock:
            self.connection.execute(
                "DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND status IS NULL",
                (owner, key),
            )

    def close(self) -> None:
        self.connection.close()


class PostgresIdempotencyKeys(IdempotencyKeys):
    """Table `idempotency_keys` in the deployment's schema, through a small pool."""

    def __init__(self, settings: Settings) -> None:
        ensure_postgres_schema(settings)
        self.table = sql.Identifier(settings.postgres_schema, "idempotency_keys")
        self.pool: ConnectionPool[Any] = ConnectionPool(
            postgres_conninfo(settings),
            min_size=1,
            max_size=4,
            kwargs={"row_factory": dict_row, "autocommit": True},
            open=False,
        )
        fail_fast(self.pool)
        self.pool.open()
        with self.pool.connection() as connection:
            connection.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (owner text NOT NULL, key text NOT NULL, "
                    "fingerprint text NOT NULL, claimed_at timestamptz NOT NULL, status int, "
                    "content_type text, body bytea, location text, PRIMARY KEY (owner, key))"
                ).format(self.table)
            )

    def _claim(
        self, owner: str, key: str, fingerprint: str, now: datetime
    ) -> dict[str, Any] | None:
        with pooled_connection(self.pool) as connection, connection.transaction():
            connection.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE claimed_at < %s OR (owner = %s AND key = %s AND "
                    "status IS NULL AND claimed_at < %s)"
                ).format(self.table),
                (now - KEPT_FOR, owner, key, now - ABANDONED_AFTER),
            )
            inserted = connection.execute(
                sql.SQL(
                    "INSERT INTO {} (owner, key, fingerprint, claimed_at) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (owner, key) DO NOTHING RETURNING owner"
                ).format(self.table),
                (owner, key, fingerprint, now),
            ).fetchone()
            if inserted is not None:
                return None
            row: dict[str, Any] | None = connection.execute(
                sql.SQL("SELECT {} FROM {} WHERE owner = %s AND key = %s").format(
                    sql.SQL(COLUMNS), self.table
                ),
                (owner, key),
            ).fetchone()
            return row

    def complete(self, owner: str, key: str, answer: Answer) -> None:
        with pooled_connection(self.pool) as connection:
            connection.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s, content_type = %s, body = %s, location = %s "
                    "WHERE owner = %s AND key = %s"
                ).format(self.table),
                (answer.status, answer.content_type, answer.body, answer.location, owner, key),
            )

    def release(self, owner: str, key: str) -> None:
        with pooled_connection(self.pool) as connection:
            connection.execute(
                sql.SQL("DELETE FROM {} WHERE owner = %s AND key = %s AND status IS NULL").format(
                    self.table
                ),
                (owner, key),
            )

    def close(self) -> None:
        self.pool.close()


def open_idempotency_keys(settings: Settings) -> IdempotencyKeys:
    if settings.store == "sqlite":
        return SQLiteIdempotencyKeys(settings)
    return PostgresIdempotencyKeys(settings)
