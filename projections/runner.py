"""Running projections: catch-up in batches (rebuilds, SQLite), and live on PostgreSQL by
LISTEN/NOTIFY subscription. Each batch's rows and position commit together: a crash loses
nothing and applies nothing twice; the worker resumes from the recorded position."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    Tracking,
)

from application.case_application import CaseApplicationBase
from application.errors import StoreUnavailableError
from domain.case_event import CaseEvent
from projections.projection import Projection, RowBatch
from projections.view import REBUILDING, DocumentView, ViewRow

BATCH_SIZE = 1000
REBUILD_BATCH_SIZE = 4000
"""A rebuild's batches: fewer round trips, transactions and row reads per event than
`BATCH_SIZE` (bench/rebuild.py: about 15% less CPU on PostgreSQL), a few MB of rows held."""
EVENTS_PER_READ = 1000
"""A batch is decoded and applied this many events at a time, reading the rows each part
names first; with the garbage collector paused during a batch (see `process`), one read
per batch is fastest on PostgreSQL (bench/rebuild.py)."""
READ_AHEAD = True
"""On PostgreSQL, `feed` reads the next batch in a thread while this one is projected."""
WRITE_BEHIND = True
"""On PostgreSQL, `feed` has a thread write each view's batch while the next view projects."""
COLLECT_BATCHES = 250
"""With the garbage collector paused across a feed's batches (`gc_paused`), what cycles
they leave (few, if any) are collected every this many batches: a bounded heap for a
rebuild of any length, at the cost of one pass over what is alive now and then."""
POLL_SECONDS = 0.05
STALL_SECONDS = 1.0
"""A live view that has not moved for this long while the store is ahead resubscribes."""
RESUME_SECONDS = 0.5
"""After the database went away, how long a worker waits before it tries to resume."""
STORE_AWAY = (StoreUnavailableError, OperationalError, InterfaceError)
"""What a database outage or restart raises: the worker resumes from its position."""
Progress = Callable[[int], None]
log = logging.getLogger("gezinsregie.projections")


class ProjectionError(Exception):
    """A projection's handler failed on an event: a bug, named with where it happened."""

    def __init__(self, projection: str, position: int, event: CaseEvent) -> None:
        super().__init__(
            f"projection {projection} failed on {type(event).__name__} at position {position}"
            f" (case {event.originator_id}, version {event.originator_version})"
        )
        self.position = position

    def __reduce__(self) -> tuple[Any, ...]:
        """Raised in a rebuild's partition process, it travels to the parent as its text."""
        return (RemoteProjectionError, (str(self),))


class RemoteProjectionError(Exception):
    """A `ProjectionError` raised in another process, as its message."""


class ProjectionWorker:
    """One projection fed from the case application into its view."""

    def __init__(
        self,
        cases: CaseApplicationBase,
        projection: Projection,
        view: DocumentView,
        upstream: str | None = None,
    ) -> None:
        self.cases, self.projection, self.view = cases, projection, view
        self.upstream = upstream or cases.name
        """The name its position is tracked under (a rebuild's differs from the view's)."""
        self.stopping = threading.Event()
        self.handlers: dict[type[Any], Callable[[Any, RowBatch], None]] = {}
        """The projection's handler per event class, looked up on first use."""
        self.failure: Exception | None = None
        """Why `run` stopped for good (a bug, not an outage), for status and health."""
        self.writing: Future[None] | None = None
        """The write of the last batch applied, when a writer thread makes it (`apply`)."""
        self.memory: RowMemory | None = None
        """What this worker knows of its view without reading it, while it is the only
        writer of the rows it may touch (a rebuild: `remember`)."""

    @property
    def position(self) -> int:
        return self.view.position(self.upstream)

    def process(self, notifications: Sequence[Notification], after: int) -> int:
        """Apply a batch of notifications that follows position `after`, and record the last
        one's position (returned): the rows the events name are read before they are applied
        (`EVENTS_PER_READ` at a time), and all changes are written together with the
        position, in one transaction — refused (IntegrityError) if the view moved meanwhile."""
        if not notifications:
            raise ValueError("a batch has at least one notification")
        with gc_paused():
            to_domain_event = self.cases.structure_mapper.to_domain_event
            events = [(n.id, cast(CaseEvent, to_domain_event(n))) for n in notifications]
            return self.apply(events, notifications[-1].id, after)

    def apply(
        self,
        events: Sequence[Positioned],
        end: int,
        after: int,
        writer: Executor | None = None,
    ) -> int:
        """Apply decoded events (each with its position) that follow position `after`, and
        record `end` (returned), the last position of the batch they were read in: a batch
        may hold none of this worker's events (a partition of a rebuild), and its position
        is recorded all the same. One transaction, as in `process`; given a `writer`, that
        transaction is made by its thread while the caller goes on (with another view, or
        the next batch): the next `apply` first waits for it (`written`), so the rows it
        reads are those written, and a failed write stops it."""
        if events and events[0][0] <= after:
            raise IntegrityError(f"batch from {events[0][0]} overlaps position {after}")
        self.written()
        keys_for = self.projection.keys_for
        handlers = self.handlers
        memory = self.memory
        rows = RowBatch(self.view, ())
        if memory is not None:
            rows.hold(memory.rows, ())
        met: set[str] = set()
        for start in range(0, len(events), EVENTS_PER_READ):
            part = events[start : start + EVENTS_PER_READ]
            if memory is None:
                rows.load({key for _, event in part for key in keys_for(event)})
            else:
                read, absent = memory.split(part, keys_for)
                met |= read
                met.update(absent)
                rows.hold({}, absent)
                rows.load(read)
            for position, event in part:
                handler = handlers.get(event.__class__)
                if handler is None:
                    handler = self.projection.handler_for(event.__class__)
                    handlers[event.__class__] = handler
                try:
                    handler(event, rows)
                except Exception as error:
                    raise ProjectionError(self.projection.name, position, event) from error
        tracking = Tracking(self.upstream, end)
        upserts, deletes = rows.upserts(), rows.deletes()
        added: set[str] = set()
        if memory is not None:  # the only writer of these rows: new ones are inserted
            added = rows.added()
            memory.keep(rows, met)
        if writer is None:
            try:
                self.view.write(upserts, deletes, tracking, after, added)
            except BaseException:
                self.memory = None
                raise
        else:
            self.writing = writer.submit(self.view.write, upserts, deletes, tracking, after, added)
        return end

    def written(self) -> None:
        """Wait for the write a writer thread is making for this worker, if any: raises
        what it raised (the batch was not applied, nor its position recorded; what the
        worker remembered of its view is forgotten)."""
        writing, self.writing = self.writing, None
        if writing is not None:
            try:
                writing.result()
            except BaseException:
                self.memory = None
                raise

    def remember(self) -> None:
        """From now on, remember between batches what this worker wrote, rather than read
        it back: only for a worker that is the only writer of every row its events touch
        (a rebuild's, or a partition's) and has written none yet (at position 0: the rows
        of its cases are all absent). See `RowMemory`."""
        self.memory = RowMemory()

    def catch_up(self, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> int:
        """Process everything recorded after the view's position; returns how many events."""
        done = 0
        while not self.stopping.is_set():
            position = self.position
            batch = self.cases.recorder.select_notifications(position + 1, batch_size)
            if not batch:
                break
            self.process(batch, position)
            done += len(batch)
            if progress:
                progress(len(batch))
        return done

    def rebuild(
        self, batch_size: int = REBUILD_BATCH_SIZE, progress: Progress | None = None
    ) -> int:
        """Build the view anew beside the live one, which goes on serving; once the new
        version has caught up with the store, swap it in, in one transaction. The live
        worker (in `serve`, or `projections run`) finds the position moved and resumes
        from the new one. Interrupted, the live view is untouched; a rerun starts over."""
        return rebuild_together([self], batch_size, progress)

    def run(self) -> None:
        """Keep the view current until stopped: by subscription where the store has one
        (PostgreSQL), otherwise by catching up at a short interval (SQLite). An outage or a
        restart of the database is waited out, and the worker resumes from its position by
        itself; anything else is a bug: logged, kept in `failure`, and the worker stops."""
        try:
            self._keep_current()
        except Exception as error:
            self.failure = error
            log.critical(
                "projection %s stopped at position %d",
                self.projection.name,
                self._last_known_position(),
                exc_info=error,
            )

    def _keep_current(self) -> None:
        while not self.stopping.is_set():
            try:
                self.catch_up()
                self._follow_subscription()
            except NotImplementedError:
                self.stopping.wait(POLL_SECONDS)
            except IntegrityError:
                continue  # another worker moved the position: resume from the view's
            except STORE_AWAY as error:
                log.warning("projection %s waits for the store: %s", self.projection.name, error)
                self.stopping.wait(RESUME_SECONDS)

    def _last_known_position(self) -> int:
        try:
            return self.position
        except STORE_AWAY:
            return -1

    def _follow_subscription(self) -> None:
        position = self.position
        with self.cases.recorder.subscribe(gt=position) as subscription:
            ended = threading.Event()
            stopper = threading.Thread(target=self._watch, args=(subscription, ended))
            stopper.start()
            try:
                for notification in subscription:
                    position = self.process([notification], position)
            finally:
                ended.set()
                subscription.stop()
                stopper.join()

    def _watch(self, subscription: Any, ended: threading.Event) -> None:
        """A subscription blocks while waiting for events: stop it when asked to, and when
        it is stuck. The library's subscription reads what is recorded, then starts to
        LISTEN in a thread of its own: an event recorded in between notifies no one, and the
        subscription would wait for the next. So if the store is ahead of the view and the
        view has not moved for `STALL_SECONDS`, the subscription is stopped, and `run`
        catches up and subscribes again."""
        seen, ticks = self.position, 0
        while not ended.is_set():
            if self.stopping.wait(0.1):
                subscription.stop()
                return
            ticks += 1
            if ticks % round(STALL_SECONDS / 0.1) == 0:
                try:
                    now = self.position
                    stuck = now == seen and (self.cases.recorder.max_notification_id() or 0) > now
                except STORE_AWAY:
                    stuck = True  # `run` waits for the store, then catches up
                if stuck:
                    subscription.stop()
                    return
                seen = now

    def stop(self) -> None:
        self.stopping.set()


T = TypeVar("T")
Positioned = tuple[int, CaseEvent]
"""A decoded event with its position in the log (its notification id)."""
REMEMBERED_CASES = 2_000_000
"""A rebuild's worker stops remembering which cases it has met beyond this many (its
batches then read the rows of every case from the view, as the live worker does)."""


class RowMemory:
    """What a rebuild's worker knows of its view between batches, so that it reads less
    back: the rows the last batch read or wrote (as written: the next batch starts once
    that write is made, see `ProjectionWorker.written`), and the cases of every event it
    has applied. Every row belongs to the case of the events that touch it (`keys_for`),
    and the worker is the only writer of its cases' rows and started from none, so a key
    of a case it has not met yet has no row: not read. A case's events are usually close
    together in the log (a case's life), so most keys are new or the last batch's."""

    def __init__(self) -> None:
        self.cases: set[int] | None = set()
        """The numbers of the cases met in earlier batches (None: too many, not known)."""
        self.meeting: set[int] = set()
        """The numbers of the cases met in this batch."""
        self.rows: dict[str, ViewRow] = {}

    def split(
        self, part: Sequence[Positioned], keys_for: Callable[[CaseEvent], list[str]]
    ) -> tuple[set[str], list[str]]:
        """The keys a part of a batch names: those to read (of cases met before), and
        those known to have no row (of cases met in this batch first)."""
        cases, meeting = self.cases, self.meeting
        read: set[str] = set()
        absent: list[str] = []
        for _, event in part:
            keys = keys_for(event)
            number = event.originator_id.int
            if cases is None or number in cases:
                read.update(keys)
            else:
                absent += keys
                meeting.add(number)
        return read, absent

    def keep(self, rows: RowBatch, met: set[str]) -> None:
        """After a batch: its rows of the keys it met or changed, and its cases as met."""
        held = rows.rows
        self.rows = {k: row for k in met | rows.changed if (row := held.get(k)) is not None}
        cases = self.cases
        if cases is not None:
            cases |= self.meeting
            if len(cases) > REMEMBERED_CASES:
                self.cases = None
        self.meeting = set()


@contextmanager
def gc_paused() -> Iterator[None]:
    """A batch allocates many short-lived objects and no cycles worth a collector's pass;
    so does a rebuild's run of batches (`feed`), where each pass, one per batch or so,
    would walk every object still alive: the batch's events, the rows remembered."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class Partition:
    """The cases one process of a rebuild handles: those whose id's low 32 bits (its last 8
    hex digits) leave `index` when divided by `count` (the same in every process, unlike
    `hash`, and computed alike by PostgreSQL: `OneRoundTripRecorder.select_partition`).
    Every projection keys its rows by case, so partitions write disjoint rows."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"partition {self.index} of {self.count}")

    def holds(self, originator_id: UUID | str) -> bool:
        if self.count == 1:
            return True
        if isinstance(originator_id, UUID):
            number = originator_id.int
        elif len(originator_id) == 36:  # the canonical text: its last 8 characters
            number = int(originator_id[28:], 16)
        else:
            number = UUID(originator_id).int
        return (number & 0xFFFFFFFF) % self.count == self.index

    def tracked_as(self, upstream: str) -> str:
        """`<upstream>:rebuild`, and for one of several partitions `...:p<i>of<n>`."""
        name = f"{upstream}{REBUILDING}"
        return name if self.count == 1 else f"{name}:p{self.index + 1}of{self.count}"


WHOLE = Partition()


def feed(
    cases: CaseApplicationBase,
    workers: Sequence[ProjectionWorker],
    *,
    partition: Partition = WHOLE,
    batch_size: int = BATCH_SIZE,
    stop: int | None = None,
    batches: int | None = None,
    progress: Progress | None = None,
    sole_writers: bool = False,
) -> int:
    """Bring several workers up to `stop` (or to the head) from one read of the log: each
    batch is read once, its events (only the partition's) decoded once, and handed to every
    worker, which writes its own view with its own position in its own transaction, so
    each view stays exactly-once by itself; a worker already past a batch (after a crash
    between two views' commits) skips it, or the part it has. `batches` stops after that
    many (a partial run, resumed by calling again). Split by case up to `stop` on a store
    that can (PostgreSQL), the database sends only the partition's events. On PostgreSQL
    the next batch is read (by a thread, in the server) while this one is projected and
    written, and each view's write of a batch is made by another thread while the next
    views project it (see `ProjectionWorker.apply`): every write is the same transaction,
    in the same order, as without. `sole_writers`: each worker is the only writer of the
    rows of its (partition's) cases, as in a rebuild; one that starts at position 0
    remembers what it wrote rather than read it back (`ProjectionWorker.remember`).
    Returns how many events were read."""
    positions = [worker.position for worker in workers]
    if sole_writers:
        for worker, position in zip(workers, positions, strict=True):
            if position == 0 and worker.memory is None:
                worker.remember()
    to_domain_event = cases.structure_mapper.to_domain_event
    holds = partition.holds
    select_partition = getattr(cases.recorder, "select_partition", None)
    by_database = select_partition is not None and partition.count > 1 and stop is not None

    def read(start: int) -> tuple[Sequence[Notification], int]:
        """The batch after position `start`, and the position it ends at (`start` when
        there is nothing more to read)."""
        if by_database:  # only the partition's events, of a stretch of about batch_size
            assert select_partition is not None and stop is not None
            end = min(stop, start + batch_size * partition.count)
            return select_partition(start + 1, end, partition.index, partition.count), end
        batch = cases.recorder.select_notifications(start + 1, batch_size, stop=stop)
        return batch, batch[-1].id if batch else start

    pipelined = select_partition is not None
    ahead = ThreadPoolExecutor(1, "read-ahead") if pipelined and READ_AHEAD else None
    writer = ThreadPoolExecutor(1, "write-behind") if pipelined and WRITE_BEHIND else None
    next_read: tuple[int, Future[tuple[Sequence[Notification], int]]] | None = None
    done = count = reported = 0
    try:
        with gc_paused():  # across batches: see `gc_paused`
            while workers and (batches is None or count < batches):
                start = min(positions)
                if stop is not None and start >= stop:
                    break
                if next_read is not None and next_read[0] == start:
                    batch, end = next_read[1].result()
                else:
                    batch, end = read(start)
                next_read = None
                if end == start:  # at the head: read again once every write is made, so that
                    for worker in workers:  # the rebuild ends (and is promoted) as soon after
                        worker.written()  # its last read as without a writer thread
                    batch, end = read(start)
                    if end == start:
                        break
                more = (stop is None or end < stop) and (batches is None or count + 1 < batches)
                if ahead is not None and more:
                    next_read = (end, ahead.submit(read, end))
                events = [
                    (n.id, cast(CaseEvent, to_domain_event(n)))
                    for n in batch
                    if by_database or holds(n.originator_id)
                ]
                if reported:  # the previous batch's progress, once every view recorded it
                    for worker in workers:
                        worker.written()
                    assert progress is not None
                    progress(reported)
                    reported = 0
                for number, worker in enumerate(workers):
                    after = positions[number]
                    if after < end:
                        share = events if after < start + 1 else [e for e in events if e[0] > after]
                        positions[number] = worker.apply(share, end, after, writer)
                done += len(batch)
                count += 1
                if count % COLLECT_BATCHES == 0:
                    gc.collect()
                if progress:
                    if writer is None:
                        progress(len(batch))
                    else:
                        reported = len(batch)
    finally:
        if ahead is not None:
            ahead.shutdown(wait=True, cancel_futures=True)
        if writer is not None:
            writer.shutdown(wait=True)  # every write handed over is made, or fails, whole
    for worker in workers:
        worker.written()  # a write that failed after the last batch was handed over
    if reported:
        assert progress is not None
        progress(reported)
    return done


def rebuild_together(
    workers: Sequence[ProjectionWorker],
    batch_size: int = REBUILD_BATCH_SIZE,
    progress: Progress | None = None,
) -> int:
    """Rebuild several views, each beside its live one, from one read of the log (see
    `ProjectionWorker.rebuild`); once all have caught up with the store, each is swapped in
    (one transaction per view: they may live in different stores). Interrupted, every
    live view is untouched and the next versions are dropped; a rerun starts over."""
    if not workers:
        return 0
    builders: list[ProjectionWorker] = []
    try:
        for worker in workers:
            tracked_as = WHOLE.tracked_as(worker.upstream)
            built = worker.view.next_version(tracked_as)
            builders.append(ProjectionWorker(worker.cases, worker.projection, built, tracked_as))
        cases = workers[0].cases
        done = feed(cases, builders, batch_size=batch_size, progress=progress, sole_writers=True)
        at_once(lambda builder: builder.view.ready(), builders)
        # What was recorded while the indexes were built: the promotion follows the last
        # read as closely as without them (the live views are ahead of it meanwhile).
        done += feed(cases, builders, batch_size=batch_size, progress=progress, sole_writers=True)
    except BaseException:
        for worker, builder in zip(workers, builders, strict=False):
            worker.view.abandon(builder.view, builder.upstream)
        raise
    at_once(
        lambda pair: pair[0].view.promote(pair[1].view, pair[0].upstream, pair[1].upstream),
        list(zip(workers, builders, strict=True)),
    )
    return done


def at_once(action: Callable[[T], None], items: Sequence[T]) -> None:
    """`action` on every item, each in a thread of its own (a view's promotion builds its
    indexes in the database: several views' are built side by side); raises the first
    failure once all are done."""
    if len(items) < 2:
        for item in items:
            action(item)
        return
    with ThreadPoolExecutor(len(items), "promote") as pool:
        for result in [pool.submit(action, item) for item in items]:
            result.result()
