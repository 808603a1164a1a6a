"""Who read which family's data, when, for what purpose and on what legal ground
(Logboek Dataverwerkingen / NEN 7513): append-only, kept apart from the cases, so it
survives a case's erasure. A failed write fails the read that caused it."""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from eventsourcing.utils import retry
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from application.access_log_writer import LogWriter, Shown
from application.persistence import ensure_postgres_schema, postgres_conninfo
from application.postgres_outage import fail_fast, pooled_connection
from application.settings import Settings

COLUMNS = (
    "at",
    "subject",
    "organisation",
    "role",
    "case_id",
    "members",
    "categories",
    "purpose",
    "legal_ground",
    "trace_id",
    "span_id",
    "parent_span_id",
)
ADDED_COLUMNS = ("span_id", "parent_span_id")
"""Columns added after the table's first version: added to an older table at start."""
INDEXES = {"access_log_case": "case_id, at, id", "access_log_at": "at, id"}
"""PostgreSQL's indexes for the reads newest first, per case and for all (created at start
if missing, so an existing log gets them)."""


@dataclass(frozen=True)
class AccessRecord:
    at: datetime
    subject: str
    organisation: str
    role: str
    case_id: str
    members: tuple[str, ...]
    categories: tuple[str, ...]
    purpose: str
    legal_ground: str
    trace_id: str | None
    span_id: str | None = None
    """This read's own span (W3C trace context: 16 hex digits)."""
    parent_span_id: str | None = None
    """The caller's span, from `traceparent`, when given."""
    record_id: int | None = field(default=None, compare=False)
    """The store's id of the record (None before it is stored): orders reads of one moment."""

    def values(self) -> tuple[Any, ...]:
        return (
            self.at.isoformat(),
            self.subject,
            self.organisation,
            self.role,
            self.case_id,
            json.dumps(list(self.members)),
            json.dumps(list(self.categories)),
            self.purpose,
            self.legal_ground,
            self.trace_id,
            self.span_id,
            self.parent_span_id,
        )

    @classmethod
    def from_row(cls, row: Any) -> AccessRecord:
        at = row["at"]
        return cls(
            at=at if isinstance(at, datetime) else datetime.fromisoformat(at),
            subject=row["subject"],
            organisation=row["organisation"],
            role=row["role"],
            case_id=row["case_id"],
            members=tuple(json.loads(row["members"])),
            categories=tuple(json.loads(row["categories"])),
            purpose=row["purpose"],
            legal_ground=row["legal_ground"],
            trace_id=row["trace_id"],
            span_id=row["span_id"],
            parent_span_id=row["parent_span_id"],
            record_id=row["id"],
        )


@dataclass(frozen=True)
class AccessQuery:
    case_id: str | None = None
    subject: str | None = None
    organisation: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000
    member: str | None = None
    """Reads that showed this member's data."""
    newest_first: bool = False
    """Ordered by (at, record id) descending instead of by record id."""
    before: tuple[datetime, int] | None = None
    """With `newest_first`: only records before this (at, record id), the last one of the
    previous page (keyset paging: records written meanwhile never shift a page)."""

    def conditions(self) -> list[tuple[str, str, Any]]:
        """(column, operator, value) of the plain filters; a moment as UTC text, as the
        SQLite store keeps it (so that texts compare as the moments do)."""
        found = [
            (c, "=", v)
            for c in ("case_id", "subject", "organisation")
            if (v := getattr(self, c)) is not None
        ]
        if self.since:
            found.append(("at", ">=", utc_text(self.since)))
        if self.until:
            found.append(("at", "<", utc_text(self.until)))
        return found


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class AccessLog(ABC):
    checks_case_versions = False
    """Whether `submit` takes a `shown` version: it stores the records of a read only if
    the version of the case the read showed is still the latest, checked in the statement
    that stores them, and does not block the caller (the case read from memory and the
    record's write then need no round trip of their own for the check)."""

    @abstractmethod
    def record(self, records: list[AccessRecord]) -> None:
        """Append; raises if the records could not be stored."""

    def submit(self, records: list[AccessRecord], shown: Shown | None = None) -> Future[bool]:
        """Append without waiting: done (True) once stored, failed if they could not be;
        False if `shown` was no longer the case's latest version (nothing stored). Stores
        that commit in the background override it; here it is `record`, at once."""
        if shown is not None:
            raise ValueError("this access log does not check case versions")
        future: Future[bool] = Future()
        try:
            self.record(records)
        except Exception as error:
            future.set_exception(error)
        else:
            future.set_result(True)
        return future

    @abstractmethod
    def find(self, query: AccessQuery) -> list[AccessRecord]:
        """Records matching the query, oldest first (or as `query.newest_first` says)."""

    @abstractmethod
    def close(self) -> None: ...


class SQLiteAccessLog(AccessLog):
    """`access_log.sqlite` in the data dir; triggers refuse updates and deletes."""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / "access_log.sqlite"
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.lock = threading.Lock()
        with self.lock:
            self.connection.executescript(
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"  # WAL: survives a crash of the process
                "CREATE TABLE IF NOT EXISTS access_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
                " subject TEXT NOT NULL, organisation TEXT NOT NULL, role TEXT NOT NULL,"
                " case_id TEXT NOT NULL, members TEXT NOT NULL, categories TEXT NOT NULL,"
                " purpose TEXT NOT NULL, legal_ground TEXT NOT NULL, trace_id TEXT);"
                "CREATE INDEX IF NOT EXISTS access_log_case ON access_log (case_id, at);"
                "CREATE INDEX IF NOT EXISTS access_log_at ON access_log (at);"
                "CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log"
                " BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;"
                "CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log"
                " BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;"
                "CREATE TRIGGER IF NOT EXISTS access_log_no_replace BEFORE INSERT ON access_log"
                " WHEN NEW.id IN (SELECT id FROM access_log)"
                " BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;"
            )
            present = {r["name"] for r in self.connection.execute("PRAGMA table_info(access_log)")}
            for column in ADDED_COLUMNS:
                if column not in present:
                    self.connection.execute(f"ALTER TABLE access_log ADD COLUMN {column} TEXT")

    def record(self, records: list[AccessRecord]) -> None:
        marks = ", ".join("?" * len(COLUMNS))
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                self.connection.executemany(
                    f"INSERT INTO access_log ({', '.join(COLUMNS)}) VALUES ({marks})",
                    [r.values() for r in records],
                )
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def find(self, query: AccessQuery) -> list[AccessRecord]:
        """The indexes on (case_id, at) and (at) hold the rowid too: a page newest first
        is read from an index, for one case or for all."""
        conditions = query.conditions()
        clauses = [f"{c} {op} ?" for c, op, _ in conditions]
        values: list[Any] = [v for _, _, v in conditions]
        if query.member is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(members) WHERE value = ?)")
            values.append(query.member)
        if query.before is not None:
            clauses.append("(at, id) < (?, ?)")
            values += [utc_text(query.before[0]), query.before[1]]
        where = " AND ".join(clauses) or "1 = 1"
        order = "at DESC, id DESC" if query.newest_first else "id"
        with self.lock:
            rows = self.connection.execute(
                f"SELECT * FROM access_log WHERE {where} ORDER BY {order} LIMIT ?",
                [*values, query.limit],
            ).fetchall()
        return [AccessRecord.from_row(r) for r in rows]

    def close(self) -> None:
        self.connection.close()


class PostgresAccessLog(AccessLog):
    """Table `access_log` in the configured schema; a trigger refuses updates and deletes.
    Written by a `LogWriter` (its own thread and connection); read through a pool.
    `events_table`: the case store's table in the same schema, so that a write can be
    conditional on a case's version (`checks_case_versions`)."""

    def __init__(self, settings: Settings, events_table: str | None = None) -> None:
        ensure_postgres_schema(settings)
        self.table = sql.Identifier(settings.postgres_schema, "access_log")
        self.pool = ConnectionPool(
            postgres_conninfo(settings),
            min_size=1,
            max_size=8,
            kwargs={"row_factory": dict_row, "autocommit": True},
            open=False,
        )
        fail_fast(self.pool)
        self.pool.open()
        guard = sql.Identifier(settings.postgres_schema, "access_log_append_only")
        with self.pool.connection() as connection:
            connection.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, at timestamptz NOT "
                    "NULL, subject text NOT NULL, organisation text NOT NULL, role text NOT NULL, "
                    "case_id text NOT NULL, members text NOT NULL, categories text NOT NULL, "
                    "purpose text NOT NULL, legal_ground text NOT NULL, trace_id text)"
                ).format(self.table)
            )
            connection.execute(
                sql.SQL(
                    "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$"
                ).format(guard)
            )
            connection.execute(
                sql.SQL(
                    "CREATE OR REPLACE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE "
                    "ON {} FOR EACH ROW EXECUTE FUNCTION {}()"
                ).format(self.table, guard)
            )
            connection.execute(
                sql.SQL(
                    "CREATE OR REPLACE TRIGGER access_log_not_truncated BEFORE TRUNCATE "
                    "ON {} FOR EACH STATEMENT EXECUTE FUNCTION {}()"
                ).format(self.table, guard)
            )
            for column in ADDED_COLUMNS:
                connection.execute(
                    sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} text").format(
                        self.table, sql.Identifier(column)
                    )
                )
            for name, columns in INDEXES.items():
                connection.execute(
                    sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                        sql.Identifier(name), self.table, sql.SQL(columns)
                    )
                )
        conninfo = postgres_conninfo(settings)
        events = sql.Identifier(settings.postgres_schema, events_table) if events_table else None
        self.checks_case_versions = events is not None
        self.writer = LogWriter(
            lambda: psycopg.connect(conninfo, autocommit=True), self.table, COLUMNS, events
        )

    def record(self, records: list[AccessRecord]) -> None:
        self.submit(records).result()

    def submit(self, records: list[AccessRecord], shown: Shown | None = None) -> Future[bool]:
        return self.writer.submit([r.values() for r in records], shown)

    @retry((psycopg.OperationalError, psycopg.InterfaceError), max_attempts=3, wait=0.1)
    def find(self, query: AccessQuery) -> list[AccessRecord]:
        """A connection found broken (the database restarted) is tried again once the pool
        has checked its others; an unreachable database is `StoreUnavailableError` at once."""
        conditions = query.conditions()
        clauses: list[sql.Composable] = [
            sql.SQL("{} " + op + " %s").format(sql.Identifier(c)) for c, op, _ in conditions
        ]
        values: list[Any] = [v for _, _, v in conditions]
        if query.member is not None:
            clauses.append(sql.SQL("members::jsonb ? %s"))
            values.append(query.member)
        if query.before is not None:
            clauses.append(sql.SQL("(at, id) < (%s, %s)"))
            values += list(query.before)
        where = sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
        order = sql.SQL("at DESC, id DESC" if query.newest_first else "id")
        select = sql.SQL("SELECT * FROM {} WHERE {} ORDER BY {} LIMIT %s").format(
            self.table, where, order
        )
        with pooled_connection(self.pool) as connection:
            rows = connection.execute(select, [*values, query.limit])
            return [AccessRecord.from_row(r) for r in rows.fetchall()]

    def close(self) -> None:
        self.writer.close()
        self.pool.close()


def open_access_log(settings: Settings, events_table: str | None = None) -> AccessLog:
    """`events_table`: the case store's table on PostgreSQL (see `checks_case_versions`)."""
    if settings.store == "sqlite":
        return SQLiteAccessLog(settings)
    return PostgresAccessLog(settings, events_table)
