"""The auditor's replay: a case's timeline and state as the record stood at a moment
(what was known then), or as things had happened by then (late registrations included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from application.case_application import CaseApplicationBase
from domain.case import Case
from domain.case_event import CaseEvent

PAGE = 100
BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "occurred_at",
    "actor",
    "originator_topic",
}


class ReplayMode(StrEnum):
    RECORDED = "recorded"  # the events recorded up to the moment: what was known then
    OCCURRED = "occurred"  # the events that had happened by the moment, whenever recorded


@dataclass(frozen=True)
class Replay:
    case_id: UUID
    as_of: datetime | None
    mode: ReplayMode
    events: list[CaseEvent]
    state: Case | None


def replay(
    cases: CaseApplicationBase, case_id: UUID, as_of: datetime | None, mode: ReplayMode
) -> Replay:
    """The timeline up to `as_of` and the state it gives. Nothing recorded: state None."""
    cases.get_case(case_id)  # raises CaseNotFoundError; completes an erasure it finds
    if as_of is not None and mode is ReplayMode.RECORDED:
        chosen = recorded_until(cases, case_id, as_of)
        return Replay(case_id, as_of, mode, chosen, state_of(chosen, prefix=True))
    history: list[CaseEvent] = list(cases.events.get(case_id))  # type: ignore[arg-type]
    chosen = history if as_of is None else [e for e in history if e.occurred_at <= as_of]
    prefix = chosen == history[: len(chosen)]
    return Replay(case_id, as_of, mode, chosen, state_of(chosen, prefix=prefix))


def recorded_until(cases: CaseApplicationBase, case_id: UUID, as_of: datetime) -> list[CaseEvent]:
    """The events recorded up to `as_of`: a prefix of the case's history, since each event
    is recorded after the one before it; read page by page, stopping at the first later."""
    chosen: list[CaseEvent] = []
    while True:
        page = cast(
            "list[CaseEvent]", list(cases.events.get(case_id, gt=len(chosen) or None, limit=PAGE))
        )
        for event in page:
            if event.timestamp > as_of:
                return chosen
            chosen.append(event)
        if len(page) < PAGE:
            return chosen


def state_of(events: list[CaseEvent], prefix: bool) -> Case | None:
    """Replay the events. A prefix of the history replays as stored; a selection (facts
    registered late left out) is applied in order without the version checks."""
    if not events or not isinstance(events[0], CaseEvent) or events[0].originator_version != 1:
        return None
    case: Case | None = None
    for event in events:
        if prefix or case is None:
            case = event.mutate(case)
        else:
            event.apply(case)
    return case


def event_data(event: CaseEvent) -> dict[str, Any]:
    """What the event says, as plain JSON values."""
    return {k: plain(v) for k, v in vars(event).items() if k not in BASE_FIELDS}


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value
