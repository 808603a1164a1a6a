"""The one way a family's data leaves: every reader (the HTTP API, the command line, and
what comes later) reads a case, or its history, here. A reading is the view filtered by
`domain.privacy` and the access-log record that must be stored before the view is shown
(None when the view carries no personal data). Nothing else decides what is visible."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from application.access_log import AccessRecord
from application.case_view import Delivered, case_view
from application.case_view_models import CaseOut, EventOut, HistoryOut
from application.replay import Replay, event_data
from domain.authorization import User
from domain.case import Case
from domain.personal_data import ERASED, PersonalField, personal_fields
from domain.privacy import Visibility, viewer_for
from domain.vocabulary import ConsentPurpose

View = TypeVar("View")
AUDIT = "audit"
"""The purpose of reading a history: supervision and audit."""
REDACTED = "withheld"


@dataclass(frozen=True)
class Reader:
    """Who reads, why, and under which trace (W3C trace context, or a request id)."""

    user: User
    purpose: ConsentPurpose | None = None
    trace_id: str | None = None
    parent_span_id: str | None = None
    """The caller's span (`traceparent`): each read is a span of its own beneath it."""


@dataclass(frozen=True)
class Reading(Generic[View]):
    """What may be shown, and the record to store before it is (None: nothing personal)."""

    view: View
    record: AccessRecord | None


def read_case(reader: Reader, case: Case, now: datetime) -> Reading[CaseOut]:
    """The case as `reader` may see it, and the record of what it shows."""
    viewer = viewer_for(reader.user, case, reader.purpose)
    view, delivered, shown = case_view(viewer, case, now.date())
    record = access_record(reader, viewer.purpose.value, case.id, delivered, shown.grounds, now)
    return Reading(view, record)


def read_history(
    reader: Reader, found: Replay, now: datetime, timeline: bool
) -> Reading[HistoryOut]:
    """A case's timeline as of a moment, each event's personal fields shown only as the
    reader may see them (a secret address never outside direct care); a field withheld
    is null and named in the event's `withheld`. With the state the events make then."""
    out = HistoryOut(case_id=found.case_id, as_of=found.as_of, mode=found.mode, events=[])
    case = found.state
    if case is None:
        return Reading(out, None)
    viewer = viewer_for(reader.user, case, reader.purpose)
    out.state, delivered, shown = case_view(viewer, case, now.date())
    if timeline:
        out.events = [event_out(event, case, shown, delivered) for event in found.events]
    record = access_record(reader, AUDIT, found.case_id, delivered, shown.grounds, now)
    return Reading(out, record)


def event_out(event: Any, case: Case, shown: Visibility, delivered: Delivered) -> EventOut:
    """The event as the reader may see it (`event_data` builds fresh containers, so a
    withheld field is blanked in this copy only)."""
    data, withheld = event_data(event), []
    for personal in personal_fields(event, case):
        if shown.sees_field(personal):
            if personal.category is not None and not _erased(data, personal):
                delivered.add(personal.category, *case_members(personal.member_id, case))
            continue
        *parents, last = personal.path
        node: Any = data
        for step in parents:
            node = node[step]
        node[last] = None
        withheld.append(personal.dotted)
    out = EventOut(
        position=event.originator_version,
        event=type(event).TOPIC,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor=event.actor,
        data=data,
    )
    if withheld:
        out.withheld = withheld
    return out


def _erased(data: dict[str, Any], personal: PersonalField) -> bool:
    """Shows no personal data: this field's key was destroyed."""
    node: Any = data
    for step in personal.path:
        node = node[step]
    return bool(node == ERASED)


def case_members(member_id: str | None, case: Case) -> list[str]:
    return [member_id] if member_id is not None else list(case.members)


def access_record(
    reader: Reader,
    purpose: str,
    case_id: UUID,
    delivered: Delivered,
    grounds: set[str],
    at: datetime,
) -> AccessRecord | None:
    """What the access log keeps of a read; None if it carried no personal data."""
    if not delivered.categories:
        return None
    user = reader.user
    return AccessRecord(
        at=at,
        subject=user.subject,
        organisation=user.organisation,
        role="+".join(sorted(user.roles)),
        case_id=str(case_id),
        members=tuple(sorted(delivered.members)),
        categories=tuple(sorted(c.value for c in delivered.categories)),
        purpose=purpose,
        legal_ground="; ".join(sorted(grounds)),
        trace_id=reader.trace_id,
        span_id=secrets.token_hex(8),
        parent_span_id=reader.parent_span_id,
    )
