"""Bulk loading of a PostgreSQL case store for the scale benchmark, with COPY: several times
the ~4k events/s of writing demo cases through the application.

    python -m bench.bulk_load --schema bench_x --cases 100000 [--processes 2] [--seed 1]

A modest set of template cases is built in memory with `application.demo.demo_cases`
(realistic histories, every rule of the domain checked). Each loaded case takes a template
and a random prefix of its history (a prefix of a valid history is valid; ~10 events a case
on average) and becomes a case of its own:

- its case id is new (any UUID equal to the template's id in its events is mapped too;
  member, referral, conversation and consent ids are the case's own, kept as they are);
- coaches keep the demo's names for the first `BLOCK` cases loaded; each later block of
  `BLOCK` cases has its own coaches (`coach-anna-7`), so a coach's caseload stays
  realistic at every size;
- a cut history is moved forward by whole days (every datetime and date in its events)
  so that its last fact lies in the last weeks, as the open cases of a live store do;
  a whole history keeps its times (closed long ago or still running, as the demo made it).

Its events are stored as the application's mapper stores them (its transcoder, and the
sealing of `application.sealing.SealingMapper`), with fresh data keys for the case and
each member made here: every loaded case has its own keys, its personal fields sealed and
bound to its own scopes. Each template event is stored once by the mapper with the values
a clone changes left as slots; a clone's state is that JSON with its own values and its
own sealed values (`SealingMapper._sealed`, with the clone's key and binding) filled in
(`--per-event` sends every event of every clone through the mapper instead: the same
stored events but for the nonces, ~20% more CPU). The keys, wrapped by the key-encryption
key as the key store wraps them, and the events are written with binary COPY, 2,000 cases
per transaction, under the events table's EXCLUSIVE lock (as the application's recorder
takes it: notification ids follow commit order), then NOTIFY. Cloning and sealing run in
`--processes` processes; their COPYs take turns.

The views are not built here: run `gezinsregie projections rebuild --all` afterwards."""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cache
from itertools import chain, islice
from typing import Any, cast
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from psycopg import sql
from pydantic import SecretStr

from application.cases import CaseApplication
from application.clock import SystemClock
from application.demo import COACHES, demo_cases
from application.envelope import key_id, new_key, seal
from application.key_store import KeyStore, case_scope, key_encryption_keys
from application.persistence import postgres_conninfo, setup_lock
from application.sealing import (
    CASE,
    MEMBER,
    SEALED,
    DataKeys,
    SealingMapper,
    _binding,
    scope_of,
)
from application.settings import Settings, load_settings
from domain.case_event import CaseEvent
from domain.periods import CasePeriods
from domain.personal_data import Path, PersonalField, sealed_fields

TEMPLATES = 500
"""Template cases built per loading process."""
BLOCK = 1000
"""Cases loaded with one set of coach names."""
LONGEST_PREFIX = 23
"""A prefix's length is drawn from 1 to this (at most the whole history): ~10 events a case
on average with the demo's histories (~29 events each, many short)."""
RECENT_DAYS = 14.0
"""A cut history's last fact lies this many days before "now" on average."""
BATCH_CASES = 2000
"""Cases written per transaction."""
COACH_NAMES = frozenset(chain.from_iterable(COACHES.values()))


@dataclass(frozen=True)
class Clone:
    """One loaded case: a prefix of a template's history, as the case `case_id`'s, its
    times moved by `shift` (whole days), its coaches renamed by `coaches`."""

    case_id: UUID
    template: int
    prefix: Sequence[CaseEvent]
    shift: timedelta
    coaches: dict[str, str]

    @property
    def events(self) -> list[CaseEvent]:
        """Its events (plain, unsealed)."""
        return clone_events(self.prefix, self.case_id, self.shift, self.coaches)

    def moved(self, value: Any) -> Any:
        """A value of the template's events as it is in this case's."""
        return _moved(value, {self.prefix[0].originator_id: self.case_id}, self.shift, self.coaches)


def templates(
    count: int, seed: int, end: datetime, periods_for: Callable[[str], CasePeriods]
) -> list[list[CaseEvent]]:
    """`count` demo histories ending at `end`, as their events."""
    built = demo_cases(count, seed=seed, end=end, periods_for=periods_for)
    return [[cast(CaseEvent, e) for e in case.collect_events()] for case in built]


@cache
def coach_names(block: int) -> dict[str, str]:
    """The coaches of the loaded cases of a block: the demo's names in the first block,
    each later block's own."""
    return {name: name if block == 0 else f"{name}-{block}" for name in COACH_NAMES}


def clones(
    histories: Sequence[Sequence[CaseEvent]],
    first: int,
    count: int,
    seed: int,
    end: datetime,
) -> Iterator[Clone]:
    """Loaded cases `first` .. `first + count - 1`, the same for the same arguments."""
    rng = random.Random(f"{seed}/{first}/{count}")
    for number in range(first, first + count):
        template = rng.randrange(len(histories))
        history = histories[template]
        length = min(len(history), rng.randint(1, LONGEST_PREFIX))
        prefix = history[:length]
        shift = timedelta(0)
        if length < len(history):
            target = end - timedelta(days=rng.expovariate(1 / RECENT_DAYS))
            shift = timedelta(days=max(0, (target - prefix[-1].timestamp).days))
        case_id = UUID(int=rng.getrandbits(128), version=4)
        yield Clone(case_id, template, prefix, shift, coach_names(number // BLOCK))


def clone_events(
    events: Sequence[CaseEvent], case_id: UUID, shift: timedelta, coaches: dict[str, str]
) -> list[CaseEvent]:
    """The events as the case `case_id`'s: ids mapped, times moved by `shift` (whole days),
    coaches renamed."""
    ids = {events[0].originator_id: case_id}
    copies = []
    for event in events:
        state = dict(vars(event))
        for name in _varying(event):
            state[name] = _moved(state[name], ids, shift, coaches)
        copy = object.__new__(type(event))
        object.__setattr__(copy, "__dict__", state)
        copies.append(copy)
    return copies


def _moved(value: Any, ids: dict[UUID, UUID], shift: timedelta, coaches: dict[str, str]) -> Any:
    if isinstance(value, str):
        return coaches.get(value, value)
    if isinstance(value, date):  # a datetime too
        return value + shift
    if isinstance(value, UUID):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: _moved(v, ids, shift, coaches) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, ids, shift, coaches) for v in value]
    if isinstance(value, tuple):
        return tuple(_moved(v, ids, shift, coaches) for v in value)
    return value


def _varying(event: CaseEvent) -> tuple[str, ...]:
    """The names of the event's fields that a clone may change: those holding a time, a
    date, a UUID or a coach's name (anywhere within). Worked out once per template event."""
    found = _VARYING.get(id(event))
    if found is None or found[0] is not event:
        names = tuple(name for name, value in vars(event).items() if _varies(value))
        found = _VARYING[id(event)] = (event, names)
    return found[1]


def _varies(value: Any) -> bool:
    if isinstance(value, str):
        return value in COACH_NAMES
    if isinstance(value, date | UUID):
        return True
    if isinstance(value, dict):
        return any(_varies(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_varies(v) for v in value)
    return False


_VARYING: dict[int, tuple[CaseEvent, tuple[str, ...]]] = {}
"""Per template event (kept alive here with its id): its fields a clone may change."""


class FreshKeys(DataKeys):
    """Data keys made here for new cases, never read from the key store: what the mapper
    seals with, and what is to be written to the key store with the events."""

    def __init__(self, store: KeyStore) -> None:
        super().__init__(store)
        self.made: dict[str, bytes] = {}
        self._own: dict[str, AESGCM] = {}

    def sealing(self, scopes: Iterable[str]) -> dict[str, AESGCM | None]:
        return {scope: self.cipher(scope) for scope in scopes}

    def cipher(self, scope: str) -> AESGCM:
        cipher = self._own.get(scope)
        if cipher is None:
            key = new_key()
            cipher = self._own[scope] = AESGCM(key)
            self.made[scope] = key
        return cipher

    def taken(self) -> dict[str, bytes]:
        """The keys made since the last call; forgotten here."""
        made, self.made, self._own = self.made, {}, {}
        return made


SLOT = "@@bulk-slot-{}@@"
SLOTS = re.compile(rb'"@@bulk-slot-(\d+)@@"')


class CompiledEvent:
    """A template event's stored state, made once by the application's mapper with each
    value a clone changes (a time, a date, a UUID, a coach) and each sealed field left as a
    slot: a clone's state is the fixed JSON with its own values, and its own sealed values
    (`SealingMapper._sealed` with the clone's key, bound to the clone's scope), put in."""

    def __init__(self, event: CaseEvent, mapper: SealingMapper) -> None:
        self.mapper, self.transcoder = mapper, mapper.transcoder
        self.version = event.originator_version
        self.binding = _binding(event)
        fields = {f.path: f for f in sealed_fields(event)}
        self.slots: list[tuple[PersonalField | None, Any]] = []

        def marked(value: Any, path: Path) -> Any:
            field = fields.get(path)
            if field is not None or (_varies(value) and not isinstance(value, dict | list | tuple)):
                self.slots.append((field, value))
                return SLOT.format(len(self.slots) - 1)
            if isinstance(value, dict):
                return {k: marked(v, (*path, k)) for k, v in value.items()}
            if isinstance(value, list):
                return [marked(v, (*path, i)) for i, v in enumerate(value)]
            if isinstance(value, tuple):
                return tuple(marked(v, (*path, i)) for i, v in enumerate(value))
            return value

        kept = ("originator_id", "originator_version")
        state = {k: v if k in kept else marked(v, (k,)) for k, v in vars(event).items()}
        copy = object.__new__(type(event))
        object.__setattr__(copy, "__dict__", state)
        plain = Mapper[UUID](self.transcoder).to_stored_event(copy)  # the library's: no keys
        self.topic = plain.topic
        pieces = SLOTS.split(plain.state)
        self.fixed: list[bytes] = pieces[0::2]
        self.order = [int(n) for n in pieces[1::2]]
        assert sorted(self.order) == list(range(len(self.slots)))
        self.kinds = [_kind(value) for _, value in self.slots]
        self.template_id = event.originator_id
        self.encoders = [_encoder(self.transcoder, value) for _, value in self.slots]
        self.envelopes = [
            _envelope_encoder(self.transcoder, MEMBER if f.sealed_for_member else CASE)
            if f is not None
            else self.transcoder.encode
            for f, _ in self.slots
        ]

    def state(self, clone: Clone, case: str, keys: FreshKeys) -> bytes:
        """The stored state of this event in the clone (whose scope is `case`)."""
        parts = [self.fixed[0]]
        for index, fixed in zip(self.order, self.fixed[1:], strict=True):
            field, value = self.slots[index]
            kind = self.kinds[index]
            if kind is Kind.TIME:
                value = value + clone.shift
            elif kind is Kind.COACH:
                value = clone.coaches[value]
            elif kind is Kind.ID:
                value = clone.case_id if value == self.template_id else value
            elif kind is Kind.OTHER:
                value = clone.moved(value)
            if field is None:
                parts.append(self.encoders[index](value))
            else:
                scope = scope_of(case, field)
                envelope = self.mapper._sealed(
                    keys.cipher(scope), field, scope + self.binding, value
                )
                parts.append(self.envelopes[index](envelope))
            parts.append(fixed)
        return b"".join(parts)


class Kind(Enum):
    """What a clone does to a slot's value."""

    TIME = "a datetime or date: moved by the clone's shift"
    COACH = "a coach: renamed"
    ID = "a UUID: the clone's case id if it was the template's"
    SAME = "kept (a sealed text that names no coach)"
    OTHER = "anything else: every value in it as the kind says (`Clone.moved`)"


def _kind(value: Any) -> Kind:
    if isinstance(value, date):
        return Kind.TIME
    if isinstance(value, UUID):
        return Kind.ID
    if type(value) is str:
        return Kind.COACH if value in COACH_NAMES else Kind.SAME
    return Kind.OTHER


Encoder = Callable[[Any], bytes]


def _encoder(transcoder: Transcoder, sample: Any) -> Encoder:
    """How the transcoder encodes values of the sample's kind, done faster where the
    sample shows a fixed text around the value's own; checked on the sample."""
    encode = transcoder.encode
    text: Callable[[Any], str] | None = None
    if isinstance(sample, datetime | date):
        text = type(sample).isoformat
    elif isinstance(sample, UUID):
        text = UUID.__str__
    elif type(sample) is str and sample.isascii() and sample.isprintable() and '"' not in sample:
        text = str
    if text is None:
        return encode
    whole, own = encode(sample), text(sample).encode()
    if whole.count(own) != 1:
        return encode
    before, after = whole.split(own)

    def fast(value: Any) -> bytes:
        return before + text(value).encode() + after

    return fast if fast(sample) == whole else cast(Encoder, encode)


def _envelope_encoder(transcoder: Transcoder, kind: str) -> Encoder:
    """How the transcoder encodes a sealed value's envelope (its ciphertext is base64)."""
    marker = "@@ct@@"
    before, after = transcoder.encode({SEALED: kind, "ct": marker}).split(marker.encode())

    def fast(envelope: dict[str, str]) -> bytes:
        return before + envelope["ct"].encode() + after

    return fast


def compiled(event: CaseEvent, mapper: SealingMapper) -> CompiledEvent:
    """The template event compiled, once per template event."""
    found = _COMPILED.get(id(event))
    if found is None or found[0] is not event:
        found = _COMPILED[id(event)] = (event, CompiledEvent(event, mapper))
    return found[1]


_COMPILED: dict[int, tuple[CaseEvent, CompiledEvent]] = {}


class BulkWriter:
    """Seals clones with the application's mapper and fresh keys; COPYs them in."""

    def __init__(self, settings: Settings, per_event: bool = False) -> None:
        """`per_event`: every event of every clone through the mapper (slower; the same
        stored events but for the sealed values' nonces)."""
        with setup_lock(settings):
            self.app = CaseApplication(settings, SystemClock())
        kek, _ = key_encryption_keys(settings)
        self.kek, self.kek_id = kek, key_id(kek)
        self.keys = FreshKeys(self.app.data_keys.store)
        mapper = self.app.mapper
        self.mapper = SealingMapper(
            mapper.transcoder, mapper.compressor, mapper.cipher, keys=self.keys
        )
        self.per_event = per_event or mapper.compressor is not None or mapper.cipher is not None
        recorder: Any = self.app.recorder
        schema = settings.postgres_schema
        events = sql.Identifier(schema, recorder.events_table_name)
        keys = sql.Identifier(f"{schema}_keys", "data_keys")
        self.lock = sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events)
        self.copy_events = sql.SQL(
            "COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
        ).format(events)
        self.copy_keys = sql.SQL(
            "COPY {} (scope, wrapped, kek_id) FROM STDIN (FORMAT BINARY)"
        ).format(keys)
        self.notify = sql.SQL("NOTIFY {}").format(sql.Identifier(recorder.channel_name))
        self.connection = psycopg.connect(postgres_conninfo(settings))
        self.sealing_seconds = self.waiting_seconds = self.copying_seconds = 0.0
        """Spent mapping and sealing, waiting for the lock, copying and committing."""

    def write(self, batch: Sequence[Clone]) -> int:
        """Seal and write the clones in one transaction; the number of events."""
        started = time.perf_counter()
        stored = [e for clone in batch for e in self.stored_events(clone)]
        wrapped = [
            (scope, seal(self.kek, key, scope.encode()), self.kek_id)
            for scope, key in self.keys.taken().items()
        ]
        sealed = time.perf_counter()
        self.sealing_seconds += sealed - started
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.execute(self.lock)
            locked = time.perf_counter()
            self.waiting_seconds += locked - sealed
            with cursor.copy(self.copy_keys) as copy:
                copy.set_types(["text", "bytea", "text"])
                for row in wrapped:
                    copy.write_row(row)
            with cursor.copy(self.copy_events) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for e in stored:
                    copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))
            cursor.execute(self.notify)
        self.copying_seconds += time.perf_counter() - locked
        return len(stored)

    def stored_events(self, clone: Clone) -> list[StoredEvent]:
        """The clone's events as stored, sealed with its keys (made here)."""
        if self.per_event:
            return [self.mapper.to_stored_event(event) for event in clone.events]
        stored, case = [], case_scope(clone.case_id)
        for event in clone.prefix:
            made = compiled(event, self.mapper)
            state = made.state(clone, case, self.keys)
            stored.append(StoredEvent(clone.case_id, made.version, made.topic, state))
        return stored

    def close(self) -> None:
        self.connection.close()
        self.app.close()


def load_part(
    settings: Settings,
    first: int,
    count: int,
    seed: int,
    templates_count: int,
    per_event: bool = False,
) -> tuple[int, dict[str, float]]:
    """One loading process: loaded cases `first` .. `first + count - 1`; the events
    written and the seconds spent in each phase."""
    cpu = time.process_time()
    writer = BulkWriter(settings, per_event)
    try:
        started = time.perf_counter()
        end = writer.app.clock.now()
        histories = templates(templates_count, seed, end, settings.periods_for)
        spent = {"templates": time.perf_counter() - started, "cloning": 0.0}
        written = 0
        generated = clones(histories, first, count, seed, end)
        while True:
            cloning = time.perf_counter()
            batch = list(islice(generated, BATCH_CASES))
            spent["cloning"] += time.perf_counter() - cloning
            if not batch:
                break
            written += writer.write(batch)
        spent["sealing"] = writer.sealing_seconds
        spent["lock wait"] = writer.waiting_seconds
        spent["copying"] = writer.copying_seconds
        spent["loader CPU"] = time.process_time() - cpu
        return written, spent
    finally:
        writer.close()


@dataclass(frozen=True)
class Loaded:
    cases: int
    events: int
    seconds: float
    spent: dict[str, float]
    """Seconds per phase, summed over the loading processes."""

    def __str__(self) -> str:
        phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in self.spent.items())
        return (
            f"{self.cases:,} cases, {self.events:,} events in {self.seconds:.1f} s:"
            f" {self.cases / self.seconds:,.0f} cases/s, {self.events / self.seconds:,.0f}"
            f" events/s ({self.events / max(1, self.cases):.1f} events a case;"
            f" process-seconds: {phases};"
            f" {self.events / max(1e-9, self.spent.get('loader CPU', 0)):,.0f} events"
            " per loader CPU-second)"
        )


def bulk_load(
    settings: Settings,
    cases: int,
    *,
    first: int = 0,
    processes: int = 2,
    seed: int = 1,
    templates_count: int = TEMPLATES,
    per_event: bool = False,
) -> Loaded:
    """Load `cases` cases (numbered from `first`: the coach blocks count on), split over
    `processes` processes, each with its own templates (seed `seed` * 1000 + its index)."""
    with setup_lock(settings):  # the tables, made once before the writers
        app = CaseApplication(settings, SystemClock())
        events_table = str(app.events_table)
        app.close()
    started = time.perf_counter()
    share = [cases // processes + (1 if i < cases % processes else 0) for i in range(processes)]
    starts = [first + sum(share[:i]) for i in range(processes)]
    jobs = [
        (settings, start, n, seed * 1000 + i, templates_count, per_event)
        for i, (start, n) in enumerate(zip(starts, share, strict=True))
        if n
    ]
    if len(jobs) == 1:
        parts = [load_part(*jobs[0])]
    else:
        with ProcessPoolExecutor(len(jobs)) as pool:
            parts = list(pool.map(load_part, *zip(*jobs, strict=True)))
    spent: dict[str, float] = {}
    for _, part in parts:
        for name, seconds in part.items():
            spent[name] = spent.get(name, 0.0) + seconds
    events = sum(n for n, _ in parts)
    analyzed = time.perf_counter()
    analyze(settings, events_table)
    spent["analyze"] = time.perf_counter() - analyzed
    return Loaded(cases, events, time.perf_counter() - started, spent)


def analyze(settings: Settings, events_table: str) -> None:
    """Statistics of the tables loaded, as autovacuum gathers them on a store that grows
    day by day (it is off on this machine, and would lag behind a load this fast anyway).
    Without them PostgreSQL guesses ~0.5% of 10^7 events for one case's, plans a parallel
    scan and compiles it (JIT): 50 ms for a read of 0.3 ms."""
    schema = settings.postgres_schema
    tables = [sql.Identifier(schema, events_table), sql.Identifier(f"{schema}_keys", "data_keys")]
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        for table in tables:
            connection.execute(sql.SQL("ANALYZE {}").format(table))


def store_size(settings: Settings) -> int:
    """Bytes on disk of the store's schema and its key store's (tables and indexes)."""
    with psycopg.connect(postgres_conninfo(settings)) as connection:
        row = connection.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'm')",
            ([settings.postgres_schema, f"{settings.postgres_schema}_keys"],),
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", required=True, help="PostgreSQL schema (made if missing)")
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--first", type=int, default=0, help="number of the first case")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--templates", type=int, default=TEMPLATES)
    parser.add_argument("--pg-dbname", default="test")
    parser.add_argument(
        "--per-event", action="store_true", help="every event through the mapper (slower)"
    )
    parser.add_argument(
        "--kek",
        help="key-encryption key, 64 hex digits (default: GEZINSREGIE_KEY_ENCRYPTION_KEY, which"
        " `bench` sets to a new one if unset; printed: the store opens with it only)",
    )
    args = parser.parse_args()
    kek = args.kek or os.environ.get("GEZINSREGIE_KEY_ENCRYPTION_KEY") or secrets.token_hex(32)
    if not args.kek:
        print(f"GEZINSREGIE_KEY_ENCRYPTION_KEY={kek}", flush=True)
    settings = load_settings(
        store="postgres",
        postgres_dbname=args.pg_dbname,
        postgres_user="postgres",
        postgres_schema=args.schema,
        key_encryption_key=SecretStr(kek),
    )
    loaded = bulk_load(
        settings,
        args.cases,
        first=args.first,
        processes=args.processes,
        seed=args.seed,
        templates_count=args.templates,
        per_event=args.per_event,
    )
    print(loaded)
    print(f"on disk: {store_size(settings) / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
