"""Opening a case and reading it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response, status

from domain.authorization import may_open_case_in
from domain.family import FamilyMember
from domain.vocabulary import ConsentPurpose
from interfaces.http.actors import actor_of
from interfaces.http.case_view import case_view, viewer_of
from interfaces.http.deps import (
    CasesDep,
    PositionQuery,
    SettingsDep,
    UserDep,
    readable_case,
    wait_for_position,
)
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import record_read
from interfaces.http.rendered import rendered
from interfaces.http.schemas.cases import CaseCreatedOut, CaseOut, OpenCaseIn

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseCreatedOut)
def open_case(body: OpenCaseIn, user: UserDep, cases: CasesDep) -> Response:
    """Register a melding: opens a case for the family."""
    if not may_open_case_in(user, body.municipality, body.team):
        raise ProblemError(
            403, "Forbidden", f"you do not register cases for {body.municipality}/{body.team}"
        )
    if body.previous_case_id is not None:
        readable_case(cases, user, body.previous_case_id)
    melding = body.model_dump(exclude={"occurred_at", "members"})
    members = [FamilyMember(**m.model_dump()) for m in body.members]
    case_id, position = cases.open_case(
        actor_of(user), occurred_at=body.occurred_at, members=members, **melding
    )
    return rendered(CaseCreatedOut(case_id=case_id, position=position), status.HTTP_201_CREATED)


PurposeHeader = Annotated[
    ConsentPurpose | None,
    Header(alias="X-Purpose", description="Why you read; default: your role's purpose"),
]


@router.get("/{case_id}", response_model=CaseOut, response_model_exclude_unset=True)
def read_case(
    case_id: UUID,
    request: Request,
    user: UserDep,
    cases: CasesDep,
    settings: SettingsDep,
    position: PositionQuery = None,
    purpose: PurposeHeader = None,
) -> Response:
    """The current state of the case, as this viewer may see it; the read is logged."""
    wait_for_position(cases, position, settings.wait_timeout_seconds)
    case = readable_case(cases, user, case_id)
    viewer = viewer_of(user, case, purpose)
    view, delivered, shown = case_view(viewer, case, cases.clock.now().date())
    record_read(request, user, viewer.purpose.value, case.id, delivered, shown.grounds)
    return rendered(view, exclude_unset=True)
