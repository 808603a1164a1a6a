"""A case as a page shows it: read through the reading service (privacy filter and access
log, exactly as `GET /v1/cases/{id}`), with the coordination overview's signals for those
who see the overview, what the reader may do, and a timeline of what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Request

from application.case_view_models import CaseOut
from application.cases import CaseApplication
from application.reading import read_case
from domain.authorization import Duty, User, may_perform, may_see_coordination
from domain.vocabulary import ConversationKind, ReferralDestination
from interfaces.http.deps import readable_case, wait_for_position
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import reader_of, record_read
from interfaces.http.routers import coordination
from interfaces.pages.labels import dutch


@dataclass(frozen=True)
class Event:
    at: datetime
    text: str


@dataclass
class CasePage:
    """What the case page shows and offers this reader."""

    view: CaseOut
    signals: list[dict[str, str]] | None
    involved: dict[str, Any] = field(default_factory=dict)
    may_intake: bool = False
    may_care: bool = False
    timeline: list[Event] = field(default_factory=list)


def case_page(request: Request, user: User, case_id: UUID, position: int | None) -> CasePage:
    """Read the case for `user` (logged before the page leaves), in a worker thread."""
    cases: CaseApplication = request.app.state.cases
    wait_for_position(cases, position, cases.settings.wait_timeout_seconds)
    case = readable_case(cases, user, case_id)
    reading = read_case(reader_of(request, user), case, cases.clock.now())
    record_read(request, reading.record, case.id)
    overview = coordination_of(request, user, cases, case_id, position)
    return CasePage(
        view=reading.view,
        signals=None if overview is None else overview["signals"],
        involved={} if overview is None else overview["involved"],
        may_intake=may_perform(user, case, Duty.INTAKE),
        may_care=may_perform(user, case, Duty.CARE),
        timeline=timeline(reading.view),
    )


def coordination_of(
    request: Request, user: User, cases: CaseApplication, case_id: UUID, position: int | None
) -> dict[str, Any] | None:
    """The case's line of the overview (signals, who does what), for those who see the
    overview; None for others, or for a case the overview no longer holds (closed)."""
    if not may_see_coordination(user):
        return None
    try:
        found: dict[str, Any] = coordination.case_overview(
            case_id, request, user, cases, request.app.state.settings, position
        )
    except ProblemError as error:
        if error.status in (403, 404):
            return None
        raise
    return found


def timeline(view: CaseOut) -> list[Event]:
    """What happened, newest first, from what this reader may see of the case."""
    events = [Event(view.opened_at, f"Melding ontvangen ({view.channel})")]
    events += [
        Event(c.occurred_at, f"{dutch(ConversationKind, c.kind)}, {c.minutes} minuten")
        for c in view.conversation_log
    ]
    events += [Event(r.occurred_at, "Rondetafelgesprek") for r in view.round_tables]
    if view.waiting_since is not None:
        events.append(Event(view.waiting_since, "Op de wachtlijst geplaatst"))
    if view.plan is not None:
        events.append(Event(view.plan.adopted_at, f"Gezinsplan versie {view.plan.version}"))
    for r in view.referrals or []:
        where = f"{dutch(ReferralDestination, r.destination)} ({r.organisation})"
        events.append(Event(r.requested_at, f"Verwezen naar {where}"))
        if r.started_at is not None:
            events.append(Event(r.started_at, f"Zorg gestart bij {r.organisation}"))
    for c in view.consents or []:
        events.append(Event(c.granted_at, f"Toestemming voor {c.organisation}"))
        if c.withdrawn_at is not None:
            events.append(Event(c.withdrawn_at, f"Toestemming voor {c.organisation} ingetrokken"))
    events += [Event(e.occurred_at, f"Opgeschaald naar {e.target}") for e in view.escalations]
    if view.closed_at is not None:
        events.append(Event(view.closed_at, "Dossier gesloten"))
    return sorted(events, key=lambda e: e.at, reverse=True)
