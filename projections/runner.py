"""Running projections: catch-up in batches (rebuilds, SQLite), and live on PostgreSQL by
LISTEN/NOTIFY subscription. Each batch's rows and position commit together: a crash loses
nothing and applies nothing twice; the worker resumes from the recorded position."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

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
from projections.view import REBUILDING, DocumentView

BATCH_SIZE = 1000
EVENTS_PER_READ = 1000
"""A batch is decoded and applied this many events at a time, reading the rows each part
names first; with the garbage collector paused during a batch (see `process`), one read
per batch is fastest on PostgreSQL (bench/rebuild.py)."""
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

    @property
    def position(self) -> int:
        return self.view.position(self.upstream)

    def process(self, notifications: Sequence[Notification], after: int) -> int:
        """Apply a batch of notifications that follows position `after`, and record the last
        one's position (returned): the rows the events name are read before they are applied
        (`EVENTS_PER_READ` at a time), and all changes are written together with the
        position, in one transaction — refused (IntegrityError) if the view moved meanwhile."""
        collecting = gc.isenabled()
        gc.disable()  # a batch allocates many short-lived objects and no cycles worth a pass
        try:
            return self._process(notifications, after)
        finally:
            if collecting:
                gc.enable()

    def _process(self, notifications: Sequence[Notification], after: int) -> int:
        if notifications and notifications[0].id <= after:
            raise IntegrityError(f"batch from {notifications[0].id} overlaps position {after}")
        to_domain_event = self.cases.structure_mapper.to_domain_event
        keys_for = self.projection.keys_for
        handlers = self.handlers
        rows: RowBatch | None = None
        for start in range(0, len(notifications), EVENTS_PER_READ):
            part = notifications[start : start + EVENTS_PER_READ]
            events = [cast(CaseEvent, to_domain_event(n)) for n in part]
            keys = {key for event in events for key in keys_for(event)}
            if rows is None:
                rows = RowBatch(self.view, keys)
            else:
                rows.load(keys)
            for notification, event in zip(part, events, strict=True):
                handler = handlers.get(event.__class__)
                if handler is None:
                    handler = self.projection.handler_for(event.__class__)
                    handlers[event.__class__] = handler
                try:
                    handler(event, rows)
                except Exception as error:
                    raise ProjectionError(self.projection.name, notification.id, event) from error
        if rows is None:
            raise ValueError("a batch has at least one notification")
        tracking = Tracking(self.upstream, notifications[-1].id)
        self.view.write(rows.upserts(), rows.deletes(), tracking, after)
        return tracking.notification_id

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

    def rebuild(self, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> int:
        """Build the view anew beside the live one, which goes on serving; once the new
        version has caught up with the store, swap it in, in one transaction. The live
        worker (in `serve`, or `projections run`) finds the position moved and resumes
        from the new one. Interrupted, the live view is untouched; a rerun starts over."""
        upstream = f"{self.upstream}{REBUILDING}"
        built = self.view.next_version(upstream)
        builder = ProjectionWorker(self.cases, self.projection, built, upstream=upstream)
        try:
            done = builder.catch_up(batch_size, progress)
        except BaseException:
            self.view.abandon(built, upstream)
            raise
        self.view.promote(built, self.upstream, upstream)
        return done

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
