"""A notification as partners receive it: a thin CloudEvent in the NL GOV profile. It
names the case and where to fetch it, never what happened to whom: the partner reads the
case with its own token, so the read is filtered and logged like any other."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC
from typing import Any

from application.notifications.records import Slot
from domain.notification_types import WITHHELD

CONTENT_TYPE = "application/cloudevents+json"
SECRET_PREFIX = "whsec_"


def cloud_event(slot: Slot, source: str, public_url: str, readable: bool) -> dict[str, Any]:
    """Structured mode. `sequence` is text (the CloudEvents sequence extension) holding
    the subscription's number, contiguous from 1; a slot whose case the subscriber may
    not read (now) keeps its number but says nothing of the case."""
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": slot.notification_id,
        "source": source,
        "type": slot.type if readable else WITHHELD,
        "time": slot.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "sequence": str(slot.sequence),
        "sequencetype": "Integer",
    }
    if readable:
        event["subject"] = str(slot.case_id)
        event["dataref"] = f"{public_url.rstrip('/')}/v1/cases/{slot.case_id}"
    return event


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
