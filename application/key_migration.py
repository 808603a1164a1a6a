"""`gezinsregie keys migrate`: seal the personal data of events written before sealing
existed. Each such event is decoded and written again in place, sealed; already sealed
events are passed over, so the command can be stopped and run again (it resumes where
nothing is left plain). Afterwards the store's free space is scrubbed of the old text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg import sql

from application.case_application import CaseApplicationBase
from application.scrub import vacuum_sqlite
from application.sealing import SEALED
from domain.case_event import CaseEvent
from domain.personal_data import ERASED, sealed_fields

BATCH = 500


@dataclass
class Migration:
    scanned: int = 0
    sealed: int = 0


def events(app: CaseApplicationBase) -> Iterator[Notification]:
    start = 1
    while True:
        batch = app.recorder.select_notifications(start, BATCH)
        yield from batch
        if len(batch) < BATCH:
            return
        start = batch[-1].id + 1


def migrate(app: CaseApplicationBase, advance: Callable[[int], None] = lambda n: None) -> Migration:
    """Seal every event that has a personal field stored plain; then compact the store
    (always: a run stopped before compacting leaves the old text in free space)."""
    done = Migration()
    for notification in events(app):
        done.scanned += 1
        advance(1)
        as_stored = app.structure_mapper.to_domain_event(notification)
        if not isinstance(as_stored, CaseEvent) or not _holds_plain_text(as_stored):
            continue
        stored = app.mapper.to_stored_event(app.mapper.to_domain_event(notification))
        _rewrite(app, notification.originator_id, notification.originator_version, stored.state)
        done.sealed += 1
    if done.scanned:
        scrub(app)
    return done


def _holds_plain_text(event: CaseEvent) -> bool:
    """A field to seal holds a value that is neither sealed nor the erased marker."""
    for field in sealed_fields(event):
        node: Any = vars(event)
        for step in field.path:
            node = node.get(step) if isinstance(node, dict) else node[step]
        if node is not None and node != ERASED and not (isinstance(node, dict) and SEALED in node):
            return True
    return False


def _rewrite(app: CaseApplicationBase, case_id: UUID | str, version: int, state: bytes) -> None:
    recorder = app.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        statement = sql.SQL(
            "UPDATE {} SET state = %s WHERE originator_id = %s AND originator_version = %s"
        ).format(table)
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(statement, (state, case_id, version))
        return
    assert isinstance(recorder, SQLiteAggregateRecorder)
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            f"UPDATE {recorder.events_table_name} SET state = ?"
            " WHERE originator_id = ? AND originator_version = ?",
            (state, case_id.hex if isinstance(case_id, UUID) else case_id, version),
        )


def scrub(app: CaseApplicationBase) -> None:
    """Old row versions keep the plain text in free pages (SQLite) or dead tuples
    (PostgreSQL) until the store is compacted: do it now (VACUUM FULL rewrites the table
    under an exclusive lock: run the migration in a maintenance window)."""
    recorder = app.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        with recorder.datastore.get_connection() as connection:
            connection.execute(sql.SQL("VACUUM FULL {}").format(table))
        return
    assert isinstance(recorder, SQLiteAggregateRecorder)
    vacuum_sqlite(recorder.datastore.pool.db_name)
