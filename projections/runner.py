"""Running projections: catch-up in batches (rebuilds, SQLite), and live on PostgreSQL by
LISTEN/NOTIFY subscription. Each batch's rows and position commit together: a crash loses
nothing and applies nothing twice; the worker resumes from the recorded position."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

from eventsourcing.persistence import IntegrityError, Notification, Tracking

from application.case_application import CaseApplicationBase
from domain.case_event import CaseEvent
from projections.projection import Projection, RowBatch
from projections.view import DocumentView

BATCH_SIZE = 1000
POLL_SECONDS = 0.05
Progress = Callable[[int], None]


class ProjectionWorker:
    """One projection fed from the case application into its view."""

    def __init__(
        self, cases: CaseApplicationBase, projection: Projection, view: DocumentView
    ) -> None:
        self.cases, self.projection, self.view = cases, projection, view
        self.upstream = cases.name
        self.stopping = threading.Event()

    @property
    def position(self) -> int:
        return self.view.position(self.upstream)

    def process(self, notifications: Sequence[Notification]) -> None:
        """Apply a batch of notifications and record the last one's position."""
        events = [cast(CaseEvent, self.cases.mapper.to_domain_event(n)) for n in notifications]
        keys = {key for event in events for key in self.projection.keys_for(event)}
        rows = RowBatch(self.view, keys)
        for event in events:
            self.projection.handle(event, rows)
        tracking = Tracking(self.upstream, notifications[-1].id)
        self.view.write(rows.upserts(), rows.deletes(), tracking)

    def catch_up(self, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> int:
        """Process everything recorded after the view's position; returns how many events."""
        done = 0
        while not self.stopping.is_set():
            start = self.position + 1
            batch = self.cases.recorder.select_notifications(start, batch_size)
            if not batch:
                break
            self.process(batch)
            done += len(batch)
            if progress:
                progress(len(batch))
        return done

    def rebuild(self, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> int:
        """Empty the view and its position in one transaction, then replay everything."""
        self.view.reset(self.upstream)
        return self.catch_up(batch_size, progress)

    def run(self) -> None:
        """Keep the view current until stopped: by subscription where the store has one
        (PostgreSQL), otherwise by catching up at a short interval (SQLite)."""
        while not self.stopping.is_set():
            self.catch_up()
            try:
                self._follow_subscription()
            except NotImplementedError:
                self.stopping.wait(POLL_SECONDS)
            except IntegrityError:
                continue  # another worker moved the position: resume from the view's

    def _follow_subscription(self) -> None:
        with self.cases.recorder.subscribe(gt=self.position) as subscription:
            ended = threading.Event()
            stopper = threading.Thread(target=self._stop_on_request, args=(subscription, ended))
            stopper.start()
            try:
                for notification in subscription:
                    self.process([notification])
            finally:
                ended.set()
                subscription.stop()
                stopper.join()

    def _stop_on_request(self, subscription: Any, ended: threading.Event) -> None:
        """A subscription blocks while waiting for events: stop it when asked to."""
        while not ended.is_set():
            if self.stopping.wait(0.1):
                subscription.stop()
                return

    def stop(self) -> None:
        self.stopping.set()
