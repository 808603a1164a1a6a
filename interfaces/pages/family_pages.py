"""The family's own view: their plan and agreements, their consents with a way to
withdraw them, and who looked at their file. Read through the reading service like any
other reader (the family member sees what `domain/privacy.py` gives the family), so this
read is in the access log too."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from application.access_log import AccessLog, AccessQuery, AccessRecord
from domain.authorization import User, may_see_who_read_the_file
from domain.commands import WithdrawConsent
from interfaces.http.deps import readable_case
from interfaces.http.problems import ProblemError
from interfaces.http.worker_threads import in_worker_thread
from interfaces.pages.case_pages import consent_guard, executed
from interfaces.pages.case_reading import CasePage, case_page
from interfaces.pages.web import DONE_FAMILY, SignedIn, html_errors, posted_form, render

router = APIRouter(include_in_schema=False)
SHOWN_READS = 200
"""The most recent reads listed on the page."""


def own_case(user: User) -> tuple[UUID, str]:
    if user.member_of is None:
        raise ProblemError(403, "Forbidden", "Deze pagina is voor gezinsleden.")
    case_id, member_id = user.member_of
    return UUID(case_id), member_id


@router.get("/mijn-dossier")
@html_errors
async def family_page(
    request: Request,
    signed: SignedIn,
    positie: Annotated[int | None, Query(ge=0, le=2**53)] = None,
    gedaan: str = "",
) -> Response:
    case_id, member_id = own_case(signed.user)
    page, reads = await in_worker_thread(
        request, family_reading, request, signed.user, case_id, positie
    )
    return render(
        request,
        "mijn_dossier.html",
        signed.session,
        case=page.view,
        member_id=member_id,
        reads=reads,
        done=DONE_FAMILY.get(gedaan),
    )


def family_reading(
    request: Request, user: User, case_id: UUID, position: int | None
) -> tuple[CasePage, list[AccessRecord]]:
    """The case as the family sees it (logged), and who read it, newest first."""
    page = case_page(request, user, case_id, position)
    case = readable_case(request.app.state.cases, user, case_id)
    if not may_see_who_read_the_file(user, case):
        return page, []
    log: AccessLog = request.app.state.access_log
    reads = log.find(AccessQuery(case_id=str(case_id), limit=10_000))
    return page, sorted(reads, key=lambda r: r.at, reverse=True)[:SHOWN_READS]


@router.post("/mijn-dossier/toestemmingen/{consent_id}/intrekken")
@html_errors
async def withdraw_own_consent(consent_id: str, request: Request, signed: SignedIn) -> Response:
    """The family member withdraws a consent they gave or that is about them."""
    case_id, member_id = own_case(signed.user)
    await posted_form(request, signed.session)
    command = WithdrawConsent(consent_id=consent_id, withdrawn_by=[member_id])
    guard = consent_guard(signed.user, consent_id)
    return await executed(
        request, signed, case_id, command, guard, "ingetrokken", back="/mijn-dossier"
    )
