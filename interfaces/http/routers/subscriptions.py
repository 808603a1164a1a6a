"""Webhook subscriptions of partner organisations: made by administrators; each
subscriber (a user of its organisation) sees its delivery state, asks for redelivery and
reads the catch-up feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from application.notifications.records import Subscription
from application.notifications.store import NotificationStore
from application.notifications.subscribing import feed, subscribe
from domain.authorization import Role, User
from interfaces.http.deps import CasesDep, SettingsDep, UserDep
from interfaces.http.problems import ProblemError
from interfaces.http.rendered import rendered
from interfaces.http.schemas.common import PROBLEM_RESPONSES, problem_example
from interfaces.http.schemas.subscriptions import (
    CloudEventOut,
    RedeliverIn,
    RedeliverOut,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
)

NOT_FOUND = problem_example(404, detail="there is no subscription sub-3f2a9c0d11e4")
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: PROBLEM_RESPONSES[status] for status in (401, 403, 413, 422, 503)
}
RESPONSES[404] = {
    **PROBLEM_RESPONSES[404],
    "description": "No such subscription (or none of your organisation)",
    "content": {"application/json": {"example": NOT_FOUND}},
}
router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"], responses=RESPONSES)


def store_of(request: Request) -> NotificationStore:
    store: NotificationStore = request.app.state.notifications
    return store


def only_admins(user: User) -> None:
    if not user.has(Role.ADMIN):
        raise ProblemError(403, "Forbidden", "subscriptions are made by administrators")


def visible(request: Request, user: User, subscription_id: str) -> Subscription:
    """The subscription, for administrators and its own organisation; for others there
    is none."""
    found = store_of(request).subscription(subscription_id)
    if found is None or not (user.has(Role.ADMIN) or user.organisation == found.organisation):
        raise ProblemError(404, "Not found", f"there is no subscription {subscription_id}")
    return found


def out(store: NotificationStore, subscription: Subscription) -> SubscriptionOut:
    backlog = store.backlog(subscription.subscription_id)
    return SubscriptionOut(
        subscription_id=subscription.subscription_id,
        organisation=subscription.organisation,
        url=subscription.url,
        event_types=sorted(subscription.event_types),
        created_at=subscription.created_at,
        status=subscription.status.value,
        disabled_reason=subscription.disabled_reason,
        failing_since=subscription.failing_since,
        next_try=subscription.next_attempt_at,
        last_error=subscription.last_error,
        last_sequence=subscription.last_sequence,
        pending=backlog.pending,
        first_pending=backlog.first_pending,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreatedOut)
def create_subscription(
    body: SubscriptionIn, request: Request, user: UserDep, cases: CasesDep
) -> Response:
    """Subscribe an organisation's endpoint to notification types (administrators). It
    hears only of cases the organisation may read, from now on; the signing secret is
    answered once."""
    only_admins(user)
    made = subscribe(
        cases, store_of(request), body.organisation, body.url, body.event_types, body.secret
    )
    answer = SubscriptionCreatedOut(
        subscription_id=made.subscription_id, secret=made.secret, starts_after=made.start_after
    )
    created = rendered(answer, status.HTTP_201_CREATED)
    location = request.url_for("read_subscription", subscription_id=made.subscription_id)
    created.headers["Location"] = str(location)
    return created


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(request: Request, user: UserDep) -> list[SubscriptionOut]:
    """Every subscription with its delivery state (administrators)."""
    only_admins(user)
    store = store_of(request)
    return [out(store, s) for s in store.subscriptions()]


@router.get("/{subscription_id}", response_model=SubscriptionOut)
def read_subscription(subscription_id: str, request: Request, user: UserDep) -> SubscriptionOut:
    """Delivery state: active or disabled (and why), failing since, next try, last error,
    what waits."""
    return out(store_of(request), visible(request, user, subscription_id))


@router.post("/{subscription_id}/redelivery", response_model=RedeliverOut)
def redeliver(
    subscription_id: str, body: RedeliverIn, request: Request, user: UserDep
) -> RedeliverOut:
    """Send again, from a sequence or what was not delivered, and enable the subscription
    (after a 410 or days without an answer). Sent again with the same `webhook-id`."""
    subscription = visible(request, user, subscription_id)
    pending = store_of(request).redeliver(subscription.subscription_id, body.from_sequence)
    return RedeliverOut(pending=pending)


@router.get(
    "/{subscription_id}/events",
    response_model=list[CloudEventOut],
    response_model_exclude_none=True,
)
def catch_up_feed(
    subscription_id: str,
    request: Request,
    user: UserDep,
    cases: CasesDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, le=2**53, description="The last sequence you have")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CloudEventOut]:
    """The notifications after sequence `after`, in order, to fill a gap: each as it
    would be sent now (withheld if the organisation may no longer read its case)."""
    subscription = visible(request, user, subscription_id)
    events = feed(cases, store_of(request), settings, subscription, after, limit)
    return [CloudEventOut.model_validate(e) for e in events]
