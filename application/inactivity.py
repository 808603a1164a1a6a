"""The job that closes dossiers inactive for the period (000 §5.2.3): idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.cases import CaseApplication
from domain.commands import CloseCase
from domain.provenance import Actor
from domain.vocabulary import ClosureReason, RelapseRisk

INACTIVITY_JOB = Actor(subject="close-inactive", organisation="gezinsregie", role="system")


@dataclass(frozen=True)
class InactiveClosure:
    case_id: UUID
    municipality: str
    last_activity_at: datetime
    position: int


def close_inactive_cases(
    app: CaseApplication, as_of: datetime, candidates: Iterable[UUID] | None = None
) -> list[InactiveClosure]:
    """Close, as of `as_of`, every open case with no active help for its inactivity period.
    A second run closes nothing: closed cases are no longer due. `candidates` narrows the
    cases read (a view's list of those that may be due); without it every case is read."""
    closed = []
    for case_id in app.case_ids() if candidates is None else candidates:
        case = app.get_case(case_id)
        if not case.is_due_for_closure(app.periods_for(case), as_of):
            continue
        position = app.execute(
            case_id,
            INACTIVITY_JOB,
            CloseCase(
                reason=ClosureReason.INACTIVE,
                relapse_risk=RelapseRisk.UNKNOWN,
                aftercare_by="",
                informed_organisations=[],
            ),
            occurred_at=as_of,
        )
        closed.append(InactiveClosure(case_id, case.municipality, case.last_activity_at, position))
    return closed
