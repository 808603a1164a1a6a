"""The case store's one-round-trip recorder on PostgreSQL keeps the library's guarantees:
a save takes the events table's EXCLUSIVE lock (ids are committed in the order they are
issued), notifies listeners, answers the notification ids of what it inserted, and refuses
a version that is taken."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from application.cases import CaseApplication
from application.clock import FixedClock
from application.event_recorder import OneRoundTripRecorder
from application.persistence import postgres_conninfo
from application.settings import Settings
from domain.commands import Triage
from projections.runner import Partition
from tests.factories import COORDINATOR, melding

pytestmark = pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
WAIT_SECONDS = 10.0
EVENTS_TABLE = "cases_events"


@pytest.fixture
def connection(store_settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(postgres_conninfo(store_settings)) as connection:
        yield connection


def waiting_for_lock(connection: psycopg.Connection[Any], schema: str) -> bool:
    """Whether some session waits for a lock on the events table."""
    row = connection.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT l.granted AND c.relname = %s AND n.nspname = %s",
        (EVENTS_TABLE, schema),
    ).fetchone()
    assert row is not None
    return bool(row[0])


def test_the_case_store_saves_through_the_one_round_trip_recorder(app: CaseApplication) -> None:
    assert isinstance(app.recorder, OneRoundTripRecorder)
    case_id, position = app.open_case(COORDINATOR, **melding())
    stored = app.recorder.select_notifications(1, 100)
    assert [n.id for n in stored] == [position]
    assert stored[0].originator_id == case_id


def test_a_save_answers_the_ids_of_its_events_in_order(app: CaseApplication) -> None:
    case_id, first = app.open_case(COORDINATOR, **melding())
    position = app.execute(case_id, COORDINATOR, Triage(outcome="complex", coordination_level=3))
    ids = [n.id for n in app.recorder.select_notifications(1, 100)]
    assert ids == [first, position]
    assert position > first


def test_a_save_takes_the_exclusive_lock_on_the_events_table(
    app: CaseApplication, store_settings: Settings, connection: psycopg.Connection[Any]
) -> None:
    case_id, before = app.open_case(COORDINATOR, **melding())
    table = sql.Identifier(store_settings.postgres_schema, EVENTS_TABLE)
    saved: list[int] = []
    with psycopg.connect(postgres_conninfo(store_settings)) as holder:
        # ROW EXCLUSIVE, as an uncommitted insert holds: it blocks EXCLUSIVE but not a
        # plain INSERT, so only a save that takes the lock waits for it.
        holder.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(table))
        saver = threading.Thread(
            target=lambda: saved.append(
                app.execute(case_id, COORDINATOR, Triage(outcome="single", coordination_level=1))
            )
        )
        saver.start()
        deadline = time.monotonic() + WAIT_SECONDS
        while not waiting_for_lock(connection, store_settings.postgres_schema):
            assert time.monotonic() < deadline, "the save never asked for the table lock"
            time.sleep(0.01)
        assert saved == [], "the save went ahead while another transaction held the lock"
        holder.commit()
    saver.join(WAIT_SECONDS)
    assert not saver.is_alive()
    assert len(saved) == 1 and saved[0] > before
    assert app.get_case(case_id).version == 2


def test_a_save_notifies_the_listeners(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    with psycopg.connect(postgres_conninfo(store_settings), autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(EVENTS_TABLE)))
        app.open_case(COORDINATOR, **melding())
        notified = list(listener.notifies(timeout=WAIT_SECONDS, stop_after=1))
    assert [n.channel for n in notified] == [EVENTS_TABLE]


def test_a_version_taken_already_is_refused_and_nothing_is_stored(app: CaseApplication) -> None:
    case_id, position = app.open_case(COORDINATOR, **melding())
    taken = app.recorder.select_events(case_id)[0]
    with pytest.raises(IntegrityError):
        app.recorder.insert_events([taken])
    assert [n.id for n in app.recorder.select_notifications(1, 100)] == [position]


def test_a_taken_version_is_answered_without_an_error_from_postgresql(
    app: CaseApplication,
) -> None:
    """Another API process saving first is routine: PostgreSQL logs no ERROR for it."""
    case_id, _ = app.open_case(COORDINATOR, **melding())
    taken = app.recorder.select_events(case_id)[0]
    recorder = app.recorder
    assert isinstance(recorder, OneRoundTripRecorder)
    event = recorder.construct_pg_stored_event(
        taken.originator_id, taken.originator_version, taken.topic, taken.state
    )
    with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
        cursor.execute(recorder.insert_locked, ([event],))
        assert cursor.fetchall() == []
        assert connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def stored_for(case_ids: list[UUID], versions: int = 2) -> list[StoredEvent]:
    """Events of these cases, a few versions each, in an order that interleaves the cases
    (their topics and states are not decoded by the reads tested here)."""
    return [
        StoredEvent(case_id, version, f"topic-{version % 2}", f"{case_id}/{version}".encode())
        for version in range(1, versions + 1)
        for case_id in case_ids
    ]


EDGE_IDS = [
    UUID(f"12345678-9abc-4def-8123-4567{tail}")
    for tail in ("00000000", "00000001", "7fffffff", "80000000", "ffffffff", "01000000", "00ff00ff")
]
"""Case ids whose last four bytes (the partition's number) lie at the edges of 32 bits."""


def test_notifications_are_read_as_the_library_reads_them(app: CaseApplication) -> None:
    """The binary read answers exactly what the library's text read answers, for every
    kind of question (from, up to, how many, of which topics, from after)."""
    recorder = app.recorder
    assert isinstance(recorder, OneRoundTripRecorder)
    recorder.insert_events(stored_for([uuid4() for _ in range(3)]) + stored_for(EDGE_IDS, 1))
    head = recorder.max_notification_id()
    assert head is not None
    asked: list[dict[str, Any]] = [
        {"start": None, "limit": 100},
        {"start": 1, "limit": 4},
        {"start": 3, "limit": 100, "stop": head - 2},
        {"start": 2, "limit": 100, "topics": ["topic-1"]},
        {"start": 2, "limit": 3, "inclusive_of_start": False},
        {"start": head + 1, "limit": 10},
    ]
    for question in asked:
        ours = recorder.select_notifications(**question)
        library = PostgresApplicationRecorder.select_notifications(recorder, **question)
        assert ours == library, question
    assert len(recorder.select_notifications(None, 100)) == head


def test_the_database_splits_the_log_by_case_as_a_partition_does(app: CaseApplication) -> None:
    """Every event is in exactly one partition's read, the one whose `holds` its case,
    in log order, whatever the count (ids at the edges of the 32 bits included)."""
    recorder = app.recorder
    assert isinstance(recorder, OneRoundTripRecorder)
    recorder.insert_events(stored_for([*EDGE_IDS, *(uuid4() for _ in range(6))], 3))
    every = recorder.select_notifications(1, 1000)
    for count in (1, 2, 3, 7):
        found: list[int] = []
        for index in range(count):
            part = recorder.select_partition(1, every[-1].id, index, count)
            assert [n.id for n in part] == sorted(n.id for n in part)
            assert all(Partition(index, count).holds(n.originator_id) for n in part)
            found += [n.id for n in part]
        assert sorted(found) == [n.id for n in every], count
