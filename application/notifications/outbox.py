"""The outbox, written from the event log: for each event of a type a subscription wants,
on a case its organisation could read just before or just after it, a numbered slot. The
slots and the position they were made up to commit together (exactly once); whether the
case is still readable is asked again when the notification leaves."""

from __future__ import annotations

from collections import OrderedDict
from typing import cast
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import Notification

from application.case_application import CaseApplicationBase
from application.case_cache import private_copy
from application.notifications.records import NewSlot, Status, Subscription
from application.notifications.store import NotificationStore
from domain.authorization import Role, User, may_read
from domain.case import Case
from domain.case_event import CaseEvent
from domain.notification_types import TYPE_OF_TOPIC

BATCH_SIZE = 500
CASES_KEPT = 1000
"""Cases kept in memory at their latest version, so an event is applied, not replayed."""


def reader_of(subscription: Subscription) -> User:
    """Whom a subscription reads as: a partner professional of its organisation."""
    return User(
        f"subscription:{subscription.subscription_id}",
        subscription.organisation,
        frozenset({Role.PARTNER}),
    )


class Outbox:
    def __init__(self, cases: CaseApplicationBase, store: NotificationStore) -> None:
        self.cases, self.store = cases, store
        self.states: OrderedDict[UUID, Case] = OrderedDict()

    def catch_up(self, batch_size: int = BATCH_SIZE) -> int | None:
        """Process the next batch of events: how many slots it made; None: none left."""
        after = self.store.position()
        batch = self.cases.recorder.select_notifications(after + 1, batch_size)
        if not batch:
            return None
        active = [s for s in self.store.subscriptions() if s.status is Status.ACTIVE]
        slots = [slot for n in batch for slot in self._slots(n, active)]
        self.store.append(slots, batch[-1].id, after)
        return len(slots)

    def _slots(self, notification: Notification, active: list[Subscription]) -> list[NewSlot]:
        kind = TYPE_OF_TOPIC.get(notification.topic)
        if kind is None:
            return []
        wanting = [s for s in active if s.wants(kind) and notification.id > s.start_after]
        if not wanting:
            return []
        before, after = self._states(notification)
        return [
            NewSlot(s.subscription_id, after.id, kind, after.modified_on, notification.id)
            for s in wanting
            if may_read(reader_of(s), after) or (before and may_read(reader_of(s), before))
        ]

    def _states(self, notification: Notification) -> tuple[Case | None, Case]:
        """The case just before and just after this event."""
        case_id = UUID(str(notification.originator_id))
        version = notification.originator_version
        known = self.states.pop(case_id, None)
        before = known if known is not None and known.version == version - 1 else None
        if before is None and version > 1:
            before = self.cases.get_case(case_id, version=version - 1)
        event = cast(CaseEvent, self.cases.mapper.to_domain_event(notification))
        after = project_aggregate(private_copy(before) if before else None, [event])
        if after is None:  # pragma: no cover - no event of a case discards it
            raise ValueError(f"event at {notification.id} left no case")
        self.states[case_id] = after
        while len(self.states) > CASES_KEPT:
            self.states.popitem(last=False)
        return before, after
