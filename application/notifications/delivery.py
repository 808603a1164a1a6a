"""Delivery: each subscription's notifications leave in sequence order (so in order per
case), signed as Standard Webhooks. A failure makes the whole subscription wait, doubling
up to `MAX_BACKOFF` so that a subscriber that is back is served within it; it is retried
for `webhook_retry_days` (3), then disabled, as it is at once on 410 Gone. A notification
is sent again after a crash with the same `webhook-id`: the receiver's key to deduplicate."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook

from application.case_application import CaseApplicationBase
from application.errors import CaseNotFoundError
from application.notifications.cloudevents import CONTENT_TYPE, cloud_event
from application.notifications.outbox import reader_of
from application.notifications.records import Slot, Subscription
from application.notifications.store import NotificationStore
from application.settings import Settings
from domain.authorization import may_read

BATCH_SIZE = 200
TIMEOUT_SECONDS = 10.0
MAX_BACKOFF = timedelta(seconds=30)
ERROR_LENGTH = 300


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    gone: bool = False
    error: str | None = None


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook is answered where it was sent: a redirect is an error, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirects())


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Outcome(False, error=f"{type(error).__name__}: {reason}"[:ERROR_LENGTH])
    if 200 <= status < 300:
        return Outcome(True)
    return Outcome(False, gone=status == 410, error=f"HTTP {status}")


def may_still_read(cases: CaseApplicationBase, subscription: Subscription, slot: Slot) -> bool:
    """Asked as the notification leaves (and as the feed answers): a consent withdrawn
    meanwhile turns it into a withheld one at once."""
    try:
        return may_read(reader_of(subscription), cases.get_case(slot.case_id))
    except CaseNotFoundError:
        return False


def signed(subscription: Subscription, body: bytes, webhook_id: str) -> dict[str, str]:
    at = datetime.now(UTC)
    signature = Webhook(subscription.secret).sign(webhook_id, at, body)
    return {
        "Content-Type": CONTENT_TYPE,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "User-Agent": "gezinsregie-webhooks/1",
    }


class Deliverer:
    def __init__(
        self, cases: CaseApplicationBase, store: NotificationStore, settings: Settings
    ) -> None:
        self.cases, self.store, self.settings = cases, store, settings

    def due(self, now: datetime) -> list[Subscription]:
        return [
            s
            for s in self.store.subscriptions()
            if s.wants_delivery and (s.next_attempt_at is None or s.next_attempt_at <= now)
        ]

    def deliver(self, subscription: Subscription) -> int:
        """Send what waits, in order, until a failure; how many were delivered."""
        sent = 0
        for slot in self.store.pending(subscription.subscription_id, BATCH_SIZE):
            outcome = self.send(subscription, slot)
            now = datetime.now(UTC)
            if outcome.delivered:
                self.store.delivered(slot, now)
                sent += 1
                continue
            error = outcome.error or "failed"
            if outcome.gone:
                error = "HTTP 410 Gone: the endpoint is disabled"
            self.store.failed(slot, error, now, self.retry_at(subscription, now, outcome))
            break
        return sent

    def send(self, subscription: Subscription, slot: Slot) -> Outcome:
        readable = may_still_read(self.cases, subscription, slot)
        event = cloud_event(
            slot, self.settings.notification_source, self.settings.public_url, readable
        )
        body = json.dumps(event, separators=(",", ":")).encode()
        return post(subscription.url, body, signed(subscription, body, slot.notification_id))

    def retry_at(
        self, subscription: Subscription, now: datetime, outcome: Outcome
    ) -> datetime | None:
        """When to try again; None: disable (410, or failing for the whole retry period)."""
        failing_since = subscription.failing_since or now
        if outcome.gone or now - failing_since >= timedelta(days=self.settings.webhook_retry_days):
            return None
        return now + min(timedelta(seconds=2 ** min(subscription.failures, 10)), MAX_BACKOFF)
