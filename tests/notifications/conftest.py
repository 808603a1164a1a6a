"""A case store with its notification store, on SQLite and PostgreSQL, and a receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.cases import CaseApplication
from application.notifications.delivery import Deliverer
from application.notifications.outbox import Outbox
from application.notifications.records import Subscription
from application.notifications.store import NotificationStore
from application.notifications.stores import open_notification_store
from application.notifications.subscribing import subscribe
from application.settings import Settings
from domain.notification_types import NOTIFICATION_TYPES
from tests.notifications.receiver import Receiver, receiving
from tests.projections.support import lean


class Partner:
    """One subscription and the outbox and delivery that serve it, driven step by step."""

    def __init__(
        self, app: CaseApplication, store: NotificationStore, subscription: Subscription
    ) -> None:
        self.app, self.store, self.subscription = app, store, subscription
        self.outbox = Outbox(app, store)
        self.deliverer = Deliverer(app, store, app.settings)

    @property
    def current(self) -> Subscription:
        found = self.store.subscription(self.subscription.subscription_id)
        assert found is not None
        return found

    def dispatch(self) -> int:
        """Fill the outbox up to the store's head, then deliver what waits; how many."""
        while self.outbox.catch_up() is not None:
            pass
        return self.deliverer.deliver(self.current)


@pytest.fixture
def store(store_settings: Settings) -> Iterator[NotificationStore]:
    opened = open_notification_store(lean(store_settings))
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as listening:
        yield listening


def subscribed(
    app: CaseApplication,
    store: NotificationStore,
    url: str,
    organisation: str = "ggz-haaglanden",
    types: tuple[str, ...] = (),
) -> Partner:
    made = subscribe(app, store, organisation, url, types or NOTIFICATION_TYPES)
    return Partner(app, store, made)
