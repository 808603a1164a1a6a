"""The receipt the requester of an erasure is given: what they asked, how it was decided,
what was destroyed and when. Names no person; its ids and dates are structure."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.case_state import CaseState
from domain.erasure import Erasure
from domain.errors import NotInCaseError
from domain.vocabulary import (
    DataCategory,
    ErasureCause,
    ErasureRefusalGround,
    ErasureRelation,
    ErasureScope,
    ErasureStatus,
)


class ErasureReceipt(BaseModel):
    """What the requester is told: what was asked, how it was decided, what was destroyed
    and when. It holds no personal data."""

    case_id: str
    request_id: str
    requested_by: str
    relation: ErasureRelation
    scope: ErasureScope
    member_id: str | None
    requested_at: datetime
    due_on: date = Field(description="3 months after the request")
    status: ErasureStatus
    assessed_at: datetime | None
    refusal_ground: ErasureRefusalGround | None
    executed_at: datetime | None
    cause: ErasureCause | None
    destroyed: list[DataCategory] = Field(
        description="the categories of personal data made unreadable, for good"
    )
    destroyed_what: str


def receipt_for(case: CaseState, case_id: str, request_id: str) -> ErasureReceipt:
    request = case.erasure_requests.get(request_id)
    if request is None:
        raise NotInCaseError(f"no erasure request {request_id} in this case")
    erasure = _erasure_of(case, request_id)
    destroyed: list[DataCategory] = []
    what = "nothing yet"
    if erasure is not None:
        destroyed = list(erasure.categories)
        if erasure.scope is ErasureScope.MEMBER:
            what = (
                f"the keys of {erasure.member_id}'s name, birth date and address were destroyed"
                f" on {erasure.erased_at.isoformat()}; they cannot be read anywhere any more"
            )
        else:
            what = (
                "the keys of all personal data of the dossier were destroyed on "
                f"{erasure.erased_at.isoformat()}; dates and structure remain for statistics"
            )
    elif request.status is ErasureStatus.REFUSED:
        what = "nothing: the request was refused"
    return ErasureReceipt(
        case_id=case_id,
        request_id=request.request_id,
        requested_by=request.requested_by,
        relation=request.relation,
        scope=request.scope,
        member_id=request.member_id,
        requested_at=request.requested_at,
        due_on=request.due_on,
        status=request.status,
        assessed_at=request.assessed_at,
        refusal_ground=request.refusal_ground,
        executed_at=request.executed_at,
        cause=erasure.cause if erasure else None,
        destroyed=destroyed,
        destroyed_what=what,
    )


def _erasure_of(case: CaseState, request_id: str) -> Erasure | None:
    """The erasure that carried out the request, or the dossier's erasure that covered it."""
    for erasure in case.erasures:
        if erasure.request_id == request_id or erasure.scope is ErasureScope.DOSSIER:
            return erasure
    return None
