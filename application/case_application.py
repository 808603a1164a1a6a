"""The core of the case application: storage, clock, and the get -> call -> save shape."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, PersistenceError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import get_topic

from application.case_cache import CaseCache, private_copy
from application.clock import Clock
from application.errors import CaseNotFoundError, ConcurrentChangeError
from application.event_recorder import OneRoundTripRecorder
from application.key_store import case_scope, member_scope, open_key_store
from application.persistence import DateAsISO, eventsourcing_env
from application.sealing import DataKeys, SealingMapper
from application.settings import Settings
from domain.case import Case
from domain.erasure import Erasure
from domain.events_erasure import PersonalDataErased
from domain.events_intake import CaseOpened
from domain.periods import CasePeriods
from domain.provenance import Actor, Provenance

Decision = Callable[[Case, Provenance], None]
"""A command's decision on the case, recording its events."""
CaseGuard = Callable[[Case], None]
"""Checked against the freshly read case before the command, e.g. who may do it."""

COMMUTATIVE_RETRIES = 5
"""Commands that only add a fact (a conversation, a contact...) are retried on a
concurrent change: the rules are checked again against the fresh case."""
RETRY_BACKOFF_SECONDS = 0.002
"""Jittered, doubling pause between retries, so competing writers spread out."""


def erased_scopes(case: Case, erasure: Erasure) -> tuple[str, list[str]]:
    """The key an erasure destroys (the case's with its members', or one member's), and
    the members' scopes to mark destroyed even where no key was made for them."""
    if erasure.member_id is None:
        return case_scope(case.id), [member_scope(case.id, m) for m in case.members]
    return member_scope(case.id, erasure.member_id), []


class CaseApplicationBase(Application[UUID]):
    """Family cases, stored as events. Times come from the injected clock."""

    name = "Cases"

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.case_cache = CaseCache(settings.case_cache_size)
        self.data_keys = DataKeys(open_key_store(settings))
        self._reached, self._reached_lock = 0, threading.Lock()
        env = eventsourcing_env(settings, "cases")
        if settings.store == "postgres":
            env["APPLICATION_RECORDER_TOPIC"] = get_topic(OneRoundTripRecorder)
        super().__init__(env=env)

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, sealing personal data with the case's keys."""
        return SealingMapper(
            transcoder=self.construct_transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
            keys=self.data_keys,
        )

    @cached_property
    def structure_mapper(self) -> SealingMapper:
        """Decodes events leaving their sealed fields sealed: for the projections, which
        need no personal data (and so never hold any), at the cost of none of it."""
        return SealingMapper(
            transcoder=self.mapper.transcoder,
            compressor=self.mapper.compressor,
            cipher=self.mapper.cipher,
            keys=self.data_keys,
            opens=False,
        )

    def close(self) -> None:
        super().close()
        self.data_keys.store.close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def provenance(self, actor: Actor, occurred_at: datetime | None) -> Provenance:
        """The recorded time is the server's; occurred_at defaults to it."""
        now = self.clock.now()
        return Provenance(actor=actor, occurred_at=occurred_at or now, recorded_at=now)

    def open_case(
        self, actor: Actor, *, occurred_at: datetime | None = None, **melding: Any
    ) -> tuple[UUID, int]:
        """Register a melding; answers the new case id and its position."""
        previous_id: UUID | None = melding.pop("previous_case_id", None)
        previous = self.get_case(previous_id) if previous_id else None
        case = Case.open(
            case_id=uuid4(),
            by=self.provenance(actor, occurred_at),
            previous_case=previous,
            **melding,
        )
        return case.id, self._save(case)

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        """The case as it stands now, or as it was at `version`. The current state is shared
        with other readers (see `CaseCache`): read it, never change it; commands go through
        `change`, which works on a copy."""
        if version is not None:
            return self._replayed(case_id, version)
        cached = self.case_cache.get(case_id)
        if cached is None:
            case = self._replayed(case_id)
        else:
            newer = list(self.repository.event_store.get(case_id, gt=cached.version))
            if not newer:
                return cached
            if any(isinstance(e, PersonalDataErased) for e in newer):
                case = self._replayed(case_id)  # what it held in memory is erased too
            else:
                updated = project_aggregate(private_copy(cached), newer)
                if updated is None:  # pragma: no cover - no event of a case discards it
                    raise CaseNotFoundError(case_id)
                case = updated
        self.case_cache.put(case)
        return case

    def exists(self, case_id: UUID) -> bool:
        """Whether a case of this id was ever opened (without replaying it)."""
        known = self.case_cache.get(case_id) is not None
        return known or bool(self.recorder.select_events(case_id, limit=1))

    @property
    def events_table(self) -> str | None:
        """The table of the case store's events on PostgreSQL; None on SQLite."""
        if isinstance(self.recorder, PostgresApplicationRecorder):
            return self.recorder.events_table_name
        return None

    def cached_case(self, case_id: UUID) -> Case | None:
        """This process's latest known state of the case, without asking the store; it may
        be behind (see `AccessLog.checks_case_versions`). Read it, never change it."""
        return self.case_cache.get(case_id)

    def _replayed(self, case_id: UUID, version: int | None = None) -> Case:
        case = self._replayed_once(case_id, version)
        if version is None and case.erasures:
            # Its events were decoded before its erasure was: perhaps with keys cached here
            # or not yet destroyed. Make sure they are gone, then read it again without them.
            self.complete_erasures(case)
            self.data_keys.forget(case_scope(case_id))
            case = self._replayed_once(case_id)
        return case

    def _replayed_once(self, case_id: UUID, version: int | None = None) -> Case:
        try:
            case: Case = self.repository.get(case_id, version=version)
        except AggregateNotFoundError:
            raise CaseNotFoundError(case_id) from None
        return case

    def change(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None,
        command: Decision,
        *,
        guard: CaseGuard | None = None,
        commutative: bool = False,
    ) -> int:
        """Get the case, run the command against it, save its new events; the position
        of the last one is returned so a reader can wait for it.

        A case this process holds in memory is tried first, without asking the store: the
        save checks it was the latest (its next version must still be free). If it was
        not, or if the guard or a rule refuses on that state, the command is decided again
        on the case as read from the store."""
        cached = self.case_cache.get(case_id)
        if cached is not None:
            try:
                return self._apply(private_copy(cached), actor, occurred_at, command, guard)
            except PersistenceError:
                raise
            except Exception:  # any refusal is decided again on the current state
                pass
        attempts = 1 + (COMMUTATIVE_RETRIES if commutative else 0)
        for attempt in range(attempts):
            case = private_copy(self.get_case(case_id))
            try:
                return self._apply(case, actor, occurred_at, command, guard)
            except ConcurrentChangeError:
                if attempt == attempts - 1:
                    raise
                time.sleep(random.uniform(0, RETRY_BACKOFF_SECONDS * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply(
        self,
        case: Case,
        actor: Actor,
        occurred_at: datetime | None,
        command: Decision,
        guard: CaseGuard | None,
    ) -> int:
        """Check the guard, run the command on this (private) case, save what it did."""
        if guard is not None:
            guard(case)
        command(case, self.provenance(actor, occurred_at))
        return self._save(case)

    def periods_for(self, case: Case) -> CasePeriods:
        return self.settings.periods_for(case.municipality)

    def _save(self, case: Case) -> int:
        erasing = any(isinstance(e, PersonalDataErased) for e in case.pending_events)
        try:
            recordings = self.save(case)
        except IntegrityError:
            raise ConcurrentChangeError(case.id) from None
        if erasing:
            self.case_cache.drop(case.id)  # it holds in memory what was erased
            self.complete_erasures(case)
        else:
            self.case_cache.put(case)
        return self._note_reached(recordings[-1].notification.id) if recordings else self.position()

    def complete_erasures(self, case: Case) -> list[Erasure]:
        """Destroy the keys the case's erasures name, if any still live here or in the key
        store; the erasures that needed it. Called once an erasure is saved (the decision is
        recorded on the latest state, so a legal hold placed meanwhile makes the save fail,
        before anything is destroyed), and by every process that finds an erasure whose
        keys still live (the one that saved it may have stopped in between)."""
        live = [e for e in case.erasures if self._keys_live(case, e)]
        for erasure in live:
            self.data_keys.destroy(*erased_scopes(case, erasure))
        return live

    def _keys_live(self, case: Case, erasure: Erasure) -> bool:
        scope, also = erased_scopes(case, erasure)
        if self.data_keys.holds_live(scope):
            return True
        known = self.data_keys.store.known_keys([scope, *also])
        return any(key is not None for key in known.values()) or len(known) < 1 + len(also)

    def position(self) -> int:
        """The position of the last recorded event (0 when there is none)."""
        return self._note_reached(self.recorder.max_notification_id() or 0)

    def has_reached(self, position: int) -> bool:
        """Whether the store is known to have recorded `position`, without asking it: this
        process saved or saw it, and positions only grow (they are committed in order)."""
        return position <= self._reached

    def _note_reached(self, position: int) -> int:
        with self._reached_lock:
            self._reached = max(self._reached, position)
        return position

    def case_ids(self, batch_size: int = 1000) -> Iterator[UUID]:
        """Every case, in the order they were opened."""
        start = 1
        while True:
            opened = self.recorder.select_notifications(
                start, batch_size, topics=[CaseOpened.TOPIC]
            )
            yield from (UUID(str(n.originator_id)) for n in opened)
            if len(opened) < batch_size:
                return
            start = opened[-1].id + 1
