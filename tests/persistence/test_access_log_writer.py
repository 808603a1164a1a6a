"""The access log's writer on PostgreSQL (its own thread and connection): a write is
acknowledged only once committed; writes handed over while a commit waits are committed
together; a lost connection fails the writes in flight and the next write reconnects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from application.access_log import AccessQuery, AccessRecord, PostgresAccessLog
from application.access_log_writer import AccessLogClosedError, Shown
from application.cases import CaseApplication
from application.persistence import postgres_conninfo
from application.settings import Settings
from domain.commands import Triage
from domain.vocabulary import TriageOutcome
from tests.factories import COORDINATOR, melding

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


@pytest.fixture
def checking(store_settings: Settings, app: CaseApplication) -> Iterator[PostgresAccessLog]:
    """An access log that checks case versions against the case store's table."""
    log = PostgresAccessLog(store_settings, app.events_table)
    yield log
    log.close()


def test_a_read_of_the_latest_version_is_stored_and_of_an_older_one_is_not(
    checking: PostgresAccessLog, app: CaseApplication
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    opened = app.get_case(case_id).version
    assert checking.checks_case_versions

    assert checking.submit([a_record("latest")], Shown(case_id, opened)).result(timeout=WAIT)
    app.execute(case_id, COORDINATOR, Triage(outcome=TriageOutcome.COMPLEX, coordination_level=3))
    older = checking.submit([a_record("older")], Shown(case_id, opened))
    assert older.result(timeout=WAIT) is False
    triaged = app.get_case(case_id).version
    assert checking.submit([a_record("triaged")], Shown(case_id, triaged)).result(timeout=WAIT)

    assert [r.case_id for r in checking.find(AccessQuery())] == ["latest", "triaged"]


def test_conditional_and_plain_writes_committed_together_each_get_their_own_answer(
    checking: PostgresAccessLog, app: CaseApplication, store_settings: Settings
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    opened = app.get_case(case_id).version
    app.execute(case_id, COORDINATOR, Triage(outcome=TriageOutcome.COMPLEX, coordination_level=3))
    with own_connection(store_settings) as blocker:
        blocker.execute("BEGIN")
        blocker.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table_of(store_settings)))
        first = checking.submit([a_record("first")])  # on the wire, waiting for the lock
        handed = [
            checking.submit([a_record("stale-1"), a_record("stale-2")], Shown(case_id, opened)),
            checking.submit([a_record("latest")], Shown(case_id, opened + 1)),
            checking.submit([a_record("plain-1"), a_record("plain-2")]),
        ]
        blocker.execute("COMMIT")
    assert first.result(timeout=WAIT)
    assert [h.result(timeout=WAIT) for h in handed] == [False, True, True]
    stored = [r.case_id for r in checking.find(AccessQuery())]
    assert stored == ["first", "latest", "plain-1", "plain-2"]
    with own_connection(store_settings) as reader:
        transactions = reader.execute(
            sql.SQL("SELECT count(DISTINCT xmin::text) FROM {}").format(table_of(store_settings))
        ).fetchone()
    assert transactions == (2,)  # the three that waited went in one statement


def test_a_log_that_does_not_know_the_case_store_refuses_a_conditional_write(
    store: PostgresAccessLog,
) -> None:
    assert not store.checks_case_versions
    with pytest.raises(ValueError, match="case store"):
        store.submit([a_record()], Shown(uuid4(), 1))


HOSTILE_TEXTS = [
    'say "hi"',
    'back\\slash \\" mixed',
    "{braces}, commas, (parens)",
    "NULL",
    "",
    "line\nbreak\ttab",
    "Zoë — \u2019t Gooi 🙂",
    "'; DROP TABLE access_log; --",
]


def test_any_text_in_a_batch_of_writes_is_stored_as_it_was(
    store: PostgresAccessLog, store_settings: Settings
) -> None:
    """A batch goes as one array per column: no text may change or break it."""
    records = [
        replace(
            a_record(text or "case"),
            subject=text,
            members=(text, "child"),
            legal_ground=text,
            trace_id=None if number % 2 else text,
        )
        for number, text in enumerate(HOSTILE_TEXTS)
    ]
    with own_connection(store_settings) as blocker:
        blocker.execute("BEGIN")
        blocker.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table_of(store_settings)))
        written = [store.submit([record]) for record in records]
        blocker.execute("COMMIT")
    for w in written:
        w.result(timeout=WAIT)
    stored = sorted(store.find(AccessQuery()), key=lambda r: HOSTILE_TEXTS.index(r.subject))
    assert stored == records


def test_a_write_of_no_rows_is_committed_as_nothing(store: PostgresAccessLog) -> None:
    assert store.submit([]).result(timeout=WAIT) is True
    assert store.find(AccessQuery()) == []
