"""Opening a case and reading it."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response, status

from application.case_view_models import CaseOut
from application.cases import CaseApplication
from application.erasure_receipt import ErasureReceipt, receipt_for
from application.reading import read_case as filtered_case
from domain.authorization import Duty, User, may_open_case_in, may_perform, may_read
from domain.errors import InvalidInputError
from domain.family import FamilyMember
from domain.vocabulary import ConsentPurpose
from interfaces.http.actors import actor_of
from interfaces.http.deps import (
    PositionQuery,
    UserDep,
    readable_case,
    wait_for_position,
)
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import (
    logged_as_latest,
    reader_of,
    record_read,
    record_read_of_version,
)
from interfaces.http.rendered import rendered
from interfaces.http.schemas.cases import CaseCreatedOut, OpenCaseIn
from interfaces.http.schemas.common import PROBLEM_RESPONSES
from interfaces.http.worker_threads import in_worker_thread

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=PROBLEM_RESPONSES)
READ_ATTEMPTS = 5
"""A read whose case changes under it is built again; only a case changing faster than it
can be read runs out."""


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseCreatedOut)
async def open_case(body: OpenCaseIn, request: Request, user: UserDep) -> Response:
    """Register a melding: opens a case for the family."""
    if not may_open_case_in(user, body.municipality, body.team):
        raise ProblemError(
            403, "Forbidden", f"you do not register cases for {body.municipality}/{body.team}"
        )
    cases: CaseApplication = request.app.state.cases
    case_id, position = await in_worker_thread(request, opened_case, cases, user, body)
    created = rendered(CaseCreatedOut(case_id=case_id, position=position), status.HTTP_201_CREATED)
    created.headers["Location"] = str(request.url_for("read_case", case_id=case_id))
    return created


def opened_case(cases: CaseApplication, user: User, body: OpenCaseIn) -> tuple[UUID, int]:
    """The new case's id and position; a previous case named must be readable to the user."""
    if body.previous_case_id is not None:
        readable_case(cases, user, body.previous_case_id)
    melding = body.model_dump(exclude={"occurred_at", "members"})
    members = [FamilyMember(**m.model_dump()) for m in body.members]
    return cases.open_case(actor_of(user), occurred_at=body.occurred_at, members=members, **melding)


PurposeHeader = Annotated[
    ConsentPurpose | None,
    Header(alias="X-Purpose", description="Why you read; default: your role's purpose"),
]


@router.get("/{case_id}", response_model=CaseOut, response_model_exclude_unset=True)
async def read_case(
    case_id: UUID,
    request: Request,
    user: UserDep,
    position: PositionQuery = None,
    purpose: PurposeHeader = None,
) -> Response:
    """The current state of the case, as this viewer may see it; the read is logged.

    Where the access log checks case versions (PostgreSQL), a case this process holds in
    memory is shown from there, on the event loop: its record is stored only if that state
    is still the latest, checked in the statement that stores it, so the read costs one
    round trip and no thread. (A `position` this process has seen recorded is reached: that
    statement sees every event up to it.) Otherwise, or if the case has moved on, it is read
    from the store in a worker thread."""
    cases: CaseApplication = request.app.state.cases
    if position is None or cases.has_reached(position):
        from_memory = read_from_memory(request, user, cases, case_id, purpose)
        if from_memory is not None:
            response, logged = from_memory
            if await logged_as_latest(logged, case_id):
                return response
    return await in_worker_thread(
        request, read_from_store, request, user, cases, case_id, position, purpose
    )


def read_from_memory(
    request: Request,
    user: User,
    cases: CaseApplication,
    case_id: UUID,
    purpose: ConsentPurpose | None,
) -> tuple[Response, Future[bool]] | None:
    """The view of the cached case and its record handed over; None where this read
    cannot be done from memory (nothing cached, not readable there, nothing to record)."""
    case = cases.cached_case(case_id)
    if not request.app.state.access_log.checks_case_versions or case is None:
        return None
    if not may_read(user, case):
        return None  # decided on the current state, in the store
    reading = filtered_case(reader_of(request, user, purpose), case, cases.clock.now())
    logged = record_read_of_version(request, reading.record, case)
    return None if logged is None else (rendered(reading.view, exclude_unset=True), logged)


def read_from_store(
    request: Request,
    user: User,
    cases: CaseApplication,
    case_id: UUID,
    position: int | None,
    purpose: ConsentPurpose | None,
) -> Response:
    wait_for_position(cases, position, cases.settings.wait_timeout_seconds)
    case = readable_case(cases, user, case_id)
    reading = filtered_case(reader_of(request, user, purpose), case, cases.clock.now())
    record_read(request, reading.record, case.id)
    return rendered(reading.view, exclude_unset=True)


@router.get("/{case_id}/erasure-requests/{request_id}/receipt", response_model=ErasureReceipt)
async def erasure_receipt(
    case_id: UUID, request_id: str, request: Request, user: UserDep
) -> Response:
    """The requester's receipt: what was asked, how it was decided, what was destroyed and
    when. For the privacy officer and those providing care; it holds no personal data."""
    cases: CaseApplication = request.app.state.cases
    case = await in_worker_thread(request, cases.get_case, case_id)
    if not (may_read(user, case) or may_perform(user, case, Duty.ERASURE_REQUEST)):
        raise ProblemError(404, "Not found", f"there is no case {case_id}")
    if not may_perform(user, case, Duty.ERASURE_REQUEST):
        raise ProblemError(403, "Forbidden", "receipts are for the privacy officer and the care")
    try:
        receipt = receipt_for(case, str(case_id), request_id)
    except InvalidInputError:
        raise ProblemError(404, "Not found", f"there is no erasure request {request_id}") from None
    return rendered(receipt)
