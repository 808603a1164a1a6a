"""The dispatcher process: the outbox kept current from the event log, and delivery, each
in a thread of its own (one more per subscription being delivered to, so a slow endpoint
holds up only itself). A database outage is waited out; a bug stops it, logged."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

from application.case_application import CaseApplicationBase
from application.errors import StoreUnavailableError
from application.notifications.delivery import Deliverer
from application.notifications.outbox import Outbox
from application.notifications.store import NotificationStore
from application.settings import Settings

POLL_SECONDS = 0.05
"""How often the outbox looks for new events, and delivery for new slots."""
RESUME_SECONDS = 0.5
STORE_AWAY = (
    StoreUnavailableError,
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)
log = logging.getLogger("gezinsregie.notifications")


class Dispatcher:
    def __init__(
        self, cases: CaseApplicationBase, store: NotificationStore, settings: Settings
    ) -> None:
        self.outbox = Outbox(cases, store)
        self.deliverer = Deliverer(cases, store, settings)
        self.stopping = threading.Event()
        self.appended = threading.Event()
        self.failure: Exception | None = None
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for name, loop in (("outbox", self._fill), ("delivery", self._deliver)):
            thread = threading.Thread(target=self._guarded, args=(loop,), name=name)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def _guarded(self, loop: Callable[[], None]) -> None:
        while not self.stopping.is_set():
            try:
                loop()
            except STORE_AWAY as error:
                log.warning("notifications wait for the store: %s", error)
                self.stopping.wait(RESUME_SECONDS)
            except IntegrityError:
                continue  # another dispatcher moved the position: resume from the store's
            except Exception as error:
                self.failure = error
                self.stopping.set()
                log.critical("notifications stopped", exc_info=error)

    def _fill(self) -> None:
        while not self.stopping.is_set():
            made = self.outbox.catch_up()
            if made:
                self.appended.set()
            if made is None:
                self.stopping.wait(POLL_SECONDS)

    def _deliver(self) -> None:
        running: dict[str, Future[int]] = {}
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="deliver") as pool:
            while not self.stopping.is_set():
                for key in [k for k, f in running.items() if f.done()]:
                    running.pop(key).result()  # a bug in a delivery stops the dispatcher
                for subscription in self.deliverer.due(datetime.now(UTC)):
                    if subscription.subscription_id not in running:
                        future = pool.submit(self.deliverer.deliver, subscription)
                        running[subscription.subscription_id] = future
                self.appended.wait(POLL_SECONDS)
                self.appended.clear()
