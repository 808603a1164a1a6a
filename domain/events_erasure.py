"""Erasure requests, their assessment, legal holds, and the destruction of personal data.
None of these events holds the family's personal data but an assessment's justification
(sealed like any text); they are not care, so they do not count as activity."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from domain.case_event import CaseEvent
from domain.erasure import Erasure, ErasureRequest, LegalHold
from domain.vocabulary import (
    DataCategory,
    ErasureCause,
    ErasureRefusalGround,
    ErasureRelation,
    ErasureScope,
)

if TYPE_CHECKING:
    from domain.case import Case


class ErasureEvent(CaseEvent):
    def apply(self, aggregate: Any) -> None:
        """Changes the case, but is no activity: the inactivity period runs on."""
        self.evolve(aggregate)


class ErasureRequested(ErasureEvent):
    """A parent with gezag or a young person asked for personal data to be destroyed."""

    TOPIC = "gezinsregie.case.erasure-requested.v1"

    request_id: str
    requested_by: str
    relation: str
    scope: str
    member_id: str | None
    due_on: date

    def evolve(self, case: Case) -> None:
        request = ErasureRequest(
            request_id=self.request_id,
            requested_by=self.requested_by,
            relation=ErasureRelation(self.relation),
            scope=ErasureScope(self.scope),
            member_id=self.member_id,
            requested_at=self.occurred_at,
            due_on=self.due_on,
        )
        case.erasure_requests = {**case.erasure_requests, self.request_id: request}


class ErasureAssessed(ErasureEvent):
    """Granted, or refused on a legal ground with its justification."""

    TOPIC = "gezinsregie.case.erasure-assessed.v1"

    request_id: str
    refusal_ground: str | None
    justification: str

    def evolve(self, case: Case) -> None:
        ground = ErasureRefusalGround(self.refusal_ground) if self.refusal_ground else None
        assessed = case.erasure_requests[self.request_id].assessed(self.occurred_at, ground)
        case.erasure_requests = {**case.erasure_requests, self.request_id: assessed}


class PersonalDataErased(ErasureEvent):
    """The keys of the personal data were destroyed: what they sealed is unreadable for
    good, wherever a copy of the events lies. Dates and structure remain."""

    TOPIC = "gezinsregie.case.personal-data-erased.v1"

    cause: str
    scope: str
    member_id: str | None
    request_id: str | None
    categories: list[str]

    def evolve(self, case: Case) -> None:
        erasure = Erasure(
            cause=ErasureCause(self.cause),
            scope=ErasureScope(self.scope),
            member_id=self.member_id,
            erased_at=self.occurred_at,
            request_id=self.request_id,
            categories=tuple(DataCategory(c) for c in self.categories),
        )
        case.erasures = (*case.erasures, erasure)
        if self.request_id is not None:
            executed = case.erasure_requests[self.request_id].executed(self.occurred_at)
            case.erasure_requests = {**case.erasure_requests, self.request_id: executed}


class LegalHoldPlaced(ErasureEvent):
    """Nothing of the case is destroyed until the hold is lifted (e.g. a court case)."""

    TOPIC = "gezinsregie.case.legal-hold-placed.v1"

    reason: str

    def evolve(self, case: Case) -> None:
        case.legal_hold = LegalHold(self.occurred_at, self.actor["subject"])


class LegalHoldLifted(ErasureEvent):
    TOPIC = "gezinsregie.case.legal-hold-lifted.v1"

    reason: str

    def evolve(self, case: Case) -> None:
        case.legal_hold = None
