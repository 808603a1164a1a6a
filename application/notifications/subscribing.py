"""Making a subscription (from the API or the command line) and reading its notifications
back as the subscriber may see them now (the catch-up feed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from application.case_application import CaseApplicationBase
from application.notifications.cloudevents import cloud_event, new_secret
from application.notifications.delivery import may_still_read
from application.notifications.records import Subscription
from application.notifications.store import NotificationStore
from application.settings import Settings


def subscribe(
    cases: CaseApplicationBase,
    store: NotificationStore,
    organisation: str,
    url: str,
    event_types: Iterable[str],
    secret: str | None = None,
) -> Subscription:
    """A subscription hears of the events recorded after it was made."""
    subscription = Subscription(
        subscription_id=f"sub-{uuid4().hex[:12]}",
        organisation=organisation,
        url=url,
        event_types=frozenset(event_types),
        secret=secret or new_secret(),
        created_at=datetime.now(UTC),
        start_after=cases.position(),
    )
    store.add(subscription)
    return subscription


def feed(
    cases: CaseApplicationBase,
    store: NotificationStore,
    settings: Settings,
    subscription: Subscription,
    after: int,
    limit: int,
) -> list[dict[str, Any]]:
    """The notifications after sequence `after`, each as it would be sent now."""
    return [
        cloud_event(
            slot,
            settings.notification_source,
            settings.public_url,
            may_still_read(cases, subscription, slot),
        )
        for slot in store.after(subscription.subscription_id, after, limit)
    ]
