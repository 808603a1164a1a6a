"""The job that destroys what is due (`gezinsregie retention run`): dossiers whose retention
period has ended, and granted erasure requests not carried out yet; and it completes an
erasure whose keys were left (the process stopped between recording and destroying).
Idempotent: a second run finds nothing due. A case under a legal hold is passed over and
reported."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from application.cases import CaseApplication
from application.errors import ConcurrentChangeError
from domain.case import Case
from domain.commands import DestroyAfterRetention, ExecuteErasure
from domain.errors import DomainError
from domain.provenance import Actor
from domain.vocabulary import ErasureCause, ErasureStatus

RETENTION_JOB = Actor(subject="retention-run", organisation="gezinsregie", role="system")


class Outcome(StrEnum):
    DESTROYED = "destroyed"
    HELD = "held"  # due, but a legal hold stops it
    COMPLETED = "completed"  # an erasure was recorded, its keys had not been destroyed yet
    FAILED = "failed"  # refused meanwhile (a hold placed, a change in between): see `reason`


@dataclass(frozen=True)
class RetentionAction:
    case_id: UUID
    cause: ErasureCause
    outcome: Outcome
    due_on: date
    request_id: str | None = None
    reason: str = ""


def due_actions(case: Case, as_of: datetime, retention_years: int) -> list[RetentionAction]:
    """What is due in `case` on `as_of`: granted requests first, then the retention end."""
    if case.is_erased:
        return []
    outcome = Outcome.HELD if case.legal_hold else Outcome.DESTROYED
    actions = [
        RetentionAction(case.id, ErasureCause.REQUEST, outcome, r.due_on, r.request_id)
        for r in sorted(case.erasure_requests.values(), key=lambda r: r.requested_at)
        if r.status is ErasureStatus.GRANTED
    ]
    ends_on = case.retention_ends_on(retention_years)
    if ends_on is not None and ends_on <= as_of.date():
        actions.append(RetentionAction(case.id, ErasureCause.RETENTION, outcome, ends_on))
    return actions


def run_retention(app: CaseApplication, as_of: datetime) -> list[RetentionAction]:
    """Carry out what is due as of `as_of` (the erasure is recorded at the time it is
    done, now); answer what was done, held, or failed. One case failing (a legal hold
    placed meanwhile, a concurrent change) does not stop the others."""
    done = []
    for case_id in app.case_ids():
        case = app.get_case(case_id)
        for erasure in app.complete_erasures(case):
            cause, when = erasure.cause, erasure.erased_at.date()
            completed = RetentionAction(case_id, cause, Outcome.COMPLETED, when, erasure.request_id)
            done.append(completed)
        for action in due_actions(case, as_of, app.periods_for(case).retention_years):
            done.append(action)
            if action.outcome is Outcome.HELD:
                continue
            try:
                if action.request_id is not None:
                    app.execute(
                        case_id, RETENTION_JOB, ExecuteErasure(request_id=action.request_id)
                    )
                else:
                    app.execute(case_id, RETENTION_JOB, DestroyAfterRetention())
            except (DomainError, ConcurrentChangeError) as error:
                done[-1] = replace(action, outcome=Outcome.FAILED, reason=str(error))
                continue
            if app.get_case(case_id).is_erased:
                break  # the dossier is gone: nothing of it is left to destroy
    return done
