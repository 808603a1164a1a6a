"""Personal data sealed in the stored events, on SQLite and PostgreSQL: what is stored is
unreadable without the keys; events written before sealing are read as they are and
`keys migrate` seals them (resumably); rotating the key-encryption key leaves every event
readable; a sealed value moved to another case does not open; a process that holds a case
and its key in memory notices an erasure recorded by another process."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import Mapper
from psycopg import sql
from pydantic import SecretStr
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import FixedClock
from application.envelope import SealBrokenError
from application.key_migration import migrate
from application.persistence import postgres_conninfo
from application.sealing import SealingMapper
from application.settings import Settings
from domain.commands import AssessErasure, ExecuteErasure, RequestErasure
from domain.personal_data import ERASED
from domain.vocabulary import ErasureScope
from interfaces.cli import cli
from tests.command_names import run_named
from tests.conftest import store_env
from tests.factories import COORDINATOR, melding

MARK = "Zeldzame-Naam-7781"


class WrittenBeforeSealing(CaseApplication):
    """The application as it was before sealing existed: the library's plain mapper."""

    name = CaseApplication.name

    def construct_mapper(self) -> Mapper[UUID]:
        return SealingMapper(transcoder=self.construct_transcoder(), keys=None)


def stored_bytes(settings: Settings) -> bytes:
    """Every event's stored state, as the store holds it."""
    if settings.store == "sqlite":
        data = b""
        for path in settings.data_dir.glob("cases.sqlite*"):
            data += path.read_bytes()
        return data
    with psycopg.connect(postgres_conninfo(settings)) as db:
        table = sql.Identifier(settings.postgres_schema, "cases_events")
        rows = db.execute(sql.SQL("SELECT state FROM {}").format(table)).fetchall()
    return b"".join(bytes(row[0]) for row in rows)


def marked_melding() -> dict[str, object]:
    facts = melding(help_question=f"hulpvraag {MARK}")
    return facts


@pytest.fixture
def plain_app(store_settings: Settings, clock: FixedClock) -> Iterator[CaseApplication]:
    app = WrittenBeforeSealing(store_settings, clock)
    yield app
    app.close()


def test_what_is_stored_holds_no_personal_data_and_reads_back_whole(
    app: CaseApplication, store_settings: Settings
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **marked_melding())

    assert MARK.encode() not in stored_bytes(store_settings)
    assert b"Name of mother" not in stored_bytes(store_settings)
    other_process = CaseApplication(store_settings, app.clock)
    try:
        case = other_process.get_case(case_id)
    finally:
        other_process.close()
    assert MARK in case.help_question
    assert case.members["mother"].name == "Name of mother"


def test_events_written_before_sealing_are_read_as_they_are_and_migrate_seals_them(
    plain_app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    old_id, _ = plain_app.open_case(COORDINATOR, **marked_melding())
    assert MARK.encode() in stored_bytes(store_settings)

    app = CaseApplication(store_settings, clock)
    try:
        assert MARK in app.get_case(old_id).help_question  # read as it was written
        new_id, _ = app.open_case(COORDINATOR, **marked_melding())
        first = migrate(app)
        second = migrate(app)  # resumable: what is sealed is passed over
        assert MARK in app.get_case(old_id).help_question
        assert MARK in app.get_case(new_id).help_question
    finally:
        app.close()

    assert (first.scanned, first.sealed) == (2, 1)
    assert (second.scanned, second.sealed) == (2, 0)
    assert MARK.encode() not in stored_bytes(store_settings)


def test_the_keys_migrate_command_shows_its_progress_and_what_it_did(
    plain_app: CaseApplication, store_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain_app.open_case(COORDINATOR, **marked_melding())
    for name, value in store_env(store_settings).items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, ["keys", "migrate"])

    assert result.exit_code == 0, result.output
    assert "1/1" in result.output
    assert "1 events read; 1 sealed now" in result.output
    assert MARK.encode() not in stored_bytes(store_settings)


def test_after_rotating_the_key_encryption_key_every_event_still_reads(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **marked_melding())
    old = store_settings.key_encryption_key
    new = SecretStr("ab" * 32)
    rotating = store_settings.model_copy(
        update={"key_encryption_key": new, "previous_key_encryption_keys": [old]}
    )
    if store_settings.store == "sqlite":  # the file holds the embedded default's key
        rotating = rotating.model_copy(
            update={
                "previous_key_encryption_keys": [
                    SecretStr((store_settings.data_dir / "key-encryption-key").read_text())
                ]
            }
        )
    during = CaseApplication(rotating, clock)
    try:
        assert during.data_keys.store.rotate() >= 1
    finally:
        during.close()

    after = CaseApplication(store_settings.model_copy(update={"key_encryption_key": new}), clock)
    try:
        assert MARK in after.get_case(case_id).help_question
    finally:
        after.close()


def test_a_sealed_value_copied_into_another_case_does_not_open(
    app: CaseApplication, store_settings: Settings
) -> None:
    first, _ = app.open_case(COORDINATOR, **marked_melding())
    second, _ = app.open_case(COORDINATOR, **melding())
    [stolen] = app.recorder.select_events(first, limit=1)
    [victim] = app.recorder.select_events(second, limit=1)
    forged = type(victim)(
        victim.originator_id, victim.originator_version, victim.topic, stolen.state
    )

    with pytest.raises(SealBrokenError, match="does not open"):
        app.mapper.to_domain_event(forged)


def test_a_process_holding_the_case_and_its_key_notices_an_erasure_made_elsewhere(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **marked_melding())
    assert MARK in app.get_case(case_id).help_question  # cached here, with its key
    elsewhere = CaseApplication(store_settings, clock)
    try:
        for command, details in (
            ("request_erasure", {"requested_by": "mother", "scope": ErasureScope.DOSSIER}),
            ("assess_erasure", {}),
            ("execute_erasure", {}),
        ):
            run_named(elsewhere, command, case_id, COORDINATOR, request_id="e1", **details)
    finally:
        elsewhere.close()

    case = app.get_case(case_id)

    assert case.is_erased
    assert case.help_question == ERASED
    assert {m.name for m in case.members.values()} == {ERASED}
    assert all(m.birth_date is None for m in case.members.values())


def erase_dossier(app: CaseApplication, case_id: UUID, *, complete: bool = True) -> None:
    """Request, grant and execute; without `complete`, the process stops after saving
    the erasure and before destroying its keys."""
    app.execute(
        case_id,
        COORDINATOR,
        RequestErasure(request_id="e1", requested_by="mother", scope=ErasureScope.DOSSIER),
    )
    app.execute(case_id, COORDINATOR, AssessErasure(request_id="e1"))
    if complete:
        app.execute(case_id, COORDINATOR, ExecuteErasure(request_id="e1"))
        return
    case = app.get_case(case_id)
    copy = app.repository.get(case_id)
    copy.execute_erasure(app.provenance(COORDINATOR, None), request_id="e1")
    app.save(copy)  # saved, and then the process stops
    assert not case.is_erased


def test_a_process_that_still_holds_the_key_but_not_the_case_shows_nothing_erased(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **marked_melding())
    assert MARK in app.get_case(case_id).help_question  # its key is cached here now
    app.case_cache.drop(case_id)  # the case left the cache; its key did not
    elsewhere = CaseApplication(store_settings, clock)
    try:
        erase_dossier(elsewhere, case_id)
    finally:
        elsewhere.close()

    case = app.get_case(case_id)
    history = list(app.repository.event_store.get(case_id))

    assert case.is_erased and case.help_question == ERASED
    assert MARK not in str([vars(e) for e in history])


def test_an_erasure_saved_by_a_process_that_stopped_before_destroying_is_completed_by_a_reader(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **marked_melding())
    stopped = CaseApplication(store_settings, clock)
    try:
        erase_dossier(stopped, case_id, complete=False)
        assert stopped.data_keys.store.existing_key(f"case/{case_id}") is not None
    finally:
        stopped.close()

    case = app.get_case(case_id)

    assert case.is_erased and case.help_question == ERASED
    assert app.data_keys.store.existing_key(f"case/{case_id}") is None
    assert app.data_keys.store.existing_key(f"case/{case_id}/member/mother") is None


def test_a_case_written_before_sealing_is_erased_too_and_migrate_seals_nothing_of_it(
    plain_app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    old_id, _ = plain_app.open_case(COORDINATOR, **marked_melding())
    app = CaseApplication(store_settings, clock)
    try:
        erase_dossier(app, old_id)
        erased = app.get_case(old_id)
        done = migrate(app)
        after = app.get_case(old_id)
        assert app.data_keys.store.existing_key(f"case/{old_id}/member/child") is None
    finally:
        app.close()

    for case in (erased, after):
        assert case.help_question == ERASED
        assert {m.name for m in case.members.values()} == {ERASED}
    assert done.sealed >= 1
    assert MARK.encode() not in stored_bytes(store_settings)
