"""The access log's writer on PostgreSQL (its own thread and connection): a write is
acknowledged only once committed; writes handed over while a commit waits are committed
together; a lost connection fails the writes in flight and the next write reconnects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from application.access_log import AccessQuery, AccessRecord, PostgresAccessLog
from application.access_log_writer import AccessLogClosedError
from application.persistence import postgres_conninfo
from application.settings import Settings

pytestmark = pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
WAIT = 30  # seconds: only reached if the writer is stuck


@pytest.fixture
def store(store_settings: Settings) -> Iterator[PostgresAccessLog]:
    log = PostgresAccessLog(store_settings)
    yield log
    log.close()


def a_record(case_id: str = "case-1") -> AccessRecord:
    return AccessRecord(
        at=datetime(2026, 6, 1, 12, tzinfo=UTC),
        subject="coordinator-1",
        organisation="cjg-den-haag",
        role="coordinator",
        case_id=case_id,
        members=("mother",),
        categories=("identity",),
        purpose="care_coordination",
        legal_ground="direct care",
        trace_id=uuid4().hex,
    )


def own_connection(settings: Settings) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(postgres_conninfo(settings), autocommit=True)


def table_of(settings: Settings) -> sql.Identifier:
    return sql.Identifier(settings.postgres_schema, "access_log")


def test_writes_handed_over_during_a_commit_wait_for_it_and_are_committed_together(
    store: PostgresAccessLog, store_settings: Settings
) -> None:
    with own_connection(store_settings) as blocker:
        blocker.execute("BEGIN")
        blocker.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table_of(store_settings)))
        written = [store.submit([a_record(f"case-{i}")]) for i in range(6)]
        assert not any(w.done() for w in written)  # none is committed while the table is locked
        blocker.execute("COMMIT")
    for w in written:
        w.result(timeout=WAIT)
    with own_connection(store_settings) as reader:
        transactions = reader.execute(
            sql.SQL("SELECT count(DISTINCT xmin::text) FROM {}").format(table_of(store_settings))
        ).fetchone()
    assert len(store.find(AccessQuery())) == 6
    assert transactions == (2,)  # the first alone; the five that waited for it together


def test_a_lost_connection_fails_the_write_and_the_next_one_reconnects(
    store: PostgresAccessLog, store_settings: Settings
) -> None:
    store.record([a_record("before")])
    connection = store.writer.connection
    assert connection is not None
    with own_connection(store_settings) as admin:
        pid = connection.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s, %s)", (pid, WAIT * 1000))
    with pytest.raises(psycopg.OperationalError):
        store.record([a_record("lost")])
    store.record([a_record("after")])
    assert [r.case_id for r in store.find(AccessQuery())] == ["before", "after"]


def test_nothing_is_taken_after_closing(store_settings: Settings) -> None:
    log = PostgresAccessLog(store_settings)
    handed = log.submit([a_record("last")])
    log.close()
    assert handed.done() and handed.exception() is None  # committed before the writer stopped
    with pytest.raises(AccessLogClosedError):
        log.submit([a_record("too late")]).result(timeout=WAIT)
    with own_connection(store_settings) as reader:
        rows = reader.execute(
            sql.SQL("SELECT case_id FROM {}").format(table_of(store_settings))
        ).fetchall()
    assert rows == [("last",)]
