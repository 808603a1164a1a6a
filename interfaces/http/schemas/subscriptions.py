"""Subscriptions as the admin API takes and shows them, and the notifications of the
catch-up feed (the same CloudEvents the webhooks carry)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from domain.notification_types import NOTIFICATION_TYPES
from interfaces.http.schemas.common import Identifier, Strict


def _known_type(value: str) -> str:
    if value not in NOTIFICATION_TYPES:
        raise ValueError(f"no notification type {value!r}")
    return value


NotificationType = Annotated[
    str,
    AfterValidator(_known_type),
    Field(json_schema_extra={"enum": sorted(NOTIFICATION_TYPES)}),
]
Url = Annotated[
    str, StringConstraints(max_length=2000, pattern=r"^https?://[A-Za-z0-9.\[\]:_-]+(/\S*)?$")
]
Secret = Annotated[
    str,
    StringConstraints(pattern=r"^whsec_[A-Za-z0-9+/]{32,128}={0,2}$"),
    Field(description="Standard Webhooks secret: `whsec_` and at least 24 bytes in base64"),
]


class SubscriptionIn(Strict):
    organisation: Identifier = Field(
        description="The subscriber: it hears only of cases this organisation may read",
        examples=["ggz-haaglanden"],
    )
    url: Url = Field(examples=["https://partner.example/webhooks/gezinsregie"])
    event_types: list[NotificationType] = Field(
        min_length=1,
        max_length=len(NOTIFICATION_TYPES),
        examples=[["nl.gezinsregie.referral.requested"]],
    )
    secret: Secret | None = Field(None, description="Given, or made and answered once")


class SubscriptionCreatedOut(BaseModel):
    subscription_id: str = Field(examples=["sub-3f2a9c0d11e4"])
    secret: str = Field(description="The signing secret: shown once, keep it")
    starts_after: int = Field(description="The store's position: later events are notified")


class SubscriptionOut(BaseModel):
    subscription_id: str
    organisation: str
    url: str
    event_types: list[str]
    created_at: datetime
    status: Literal["active", "disabled"]
    disabled_reason: str | None = None
    failing_since: datetime | None = Field(None, description="Failing since (no answer)")
    next_try: datetime | None = Field(None, description="When delivery is tried again")
    last_error: str | None = None
    last_sequence: int = Field(description="The sequence of the last notification made")
    pending: int = Field(description="Notifications not delivered yet")
    first_pending: int | None = Field(None, description="The sequence of the first of them")


class RedeliverIn(Strict):
    from_sequence: int | None = Field(
        None, ge=1, le=2**53, description="Send again from here; default: what was not delivered"
    )


class RedeliverOut(BaseModel):
    pending: int = Field(description="Notifications that will be sent")


class CloudEventOut(BaseModel):
    """A thin notification (CloudEvents 1.0, NL GOV profile): no personal data; fetch
    `dataref` with your own token."""

    specversion: Literal["1.0"]
    id: str
    source: str = Field(examples=["urn:nld:gezinsregie"])
    type: str = Field(examples=["nl.gezinsregie.referral.requested"])
    time: datetime
    sequence: str = Field(description="Contiguous per subscription from 1 (decimal text)")
    sequencetype: Literal["Integer"]
    subject: str | None = Field(None, description="The case id (absent when withheld)")
    dataref: str | None = Field(None, description="The case in the API (absent when withheld)")
