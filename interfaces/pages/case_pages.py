"""The case page and its everyday actions: record a conversation, place on the waitlist,
assign a coach, record consent, make a referral, withdraw a consent.

A form is validated by the JSON API's own body model and turned into the same typed
command (`to_command`), checked by the same guard and executed by the application; the
answer is a redirect to the case page at the command's position (read-your-writes)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from application.cases import CaseApplication
from domain.authorization import Duty, User, may_withdraw_consent
from domain.case import Case
from domain.commands import CaseCommand, WithdrawConsent
from domain.errors import DomainError, InvalidInputError
from domain.vocabulary import (
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    ReferralDestination,
)
from interfaces.http.actors import actor_of
from interfaces.http.problems import ProblemError
from interfaces.http.routers.commands import guard_for
from interfaces.http.schemas import commands as body
from interfaces.http.schemas.common import CaseCommandBody
from interfaces.http.worker_threads import in_worker_thread
from interfaces.pages.case_reading import case_page
from interfaces.pages.demo_users import DEMO_USERS
from interfaces.pages.labels import rule_in_dutch
from interfaces.pages.web import SignedIn, html_errors, posted_form, render, see_other

router = APIRouter(include_in_schema=False)
Position = Annotated[int | None, Query(ge=0, le=2**53)]

ACTIONS: dict[str, tuple[type[CaseCommandBody], Duty, str]] = {
    "gesprekken": (body.ConversationIn, Duty.CARE, "Het gesprek is vastgelegd."),
    "wachtlijst": (body.WaitlistPlaceIn, Duty.INTAKE, "Het gezin staat op de wachtlijst."),
    "coach": (body.CoachIn, Duty.INTAKE, "De gezinscoach is toegewezen."),
    "toestemmingen": (body.ConsentIn, Duty.CARE, "De toestemming is vastgelegd."),
    "verwijzingen": (body.ReferralIn, Duty.CARE, "De verwijzing is gemaakt."),
}
LISTS = {"given_by", "about", "categories", "participants", "withdrawn_by"}
"""Form fields that carry several values (checkboxes)."""
DONE = {key: done for key, (_, _, done) in ACTIONS.items()} | {
    "ingetrokken": "De toestemming is ingetrokken."
}


@router.get("/dossiers/{case_id}")
@html_errors
async def case_view_page(
    case_id: UUID, request: Request, signed: SignedIn, positie: Position = None, gedaan: str = ""
) -> Response:
    """The case as this reader may see it, and what they may do to it."""
    return await shown(request, signed.session, signed.user, case_id, positie, DONE.get(gedaan))


async def shown(
    request: Request,
    session: Any,
    user: User,
    case_id: UUID,
    position: int | None,
    done: str | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    page = await in_worker_thread(request, case_page, request, user, case_id, position)
    return render(
        request,
        "dossier.html",
        session,
        status,
        page=page,
        case=page.view,
        done=done,
        errors=errors or [],
        kinds=list(ConversationKind),
        destinations=list(ReferralDestination),
        categories=list(DataCategory),
        purposes=list(ConsentPurpose),
        forms=list(ConsentForm),
        coaches=sorted({d.user.subject for d in DEMO_USERS if d.key.startswith("coach")}),
    )


@router.post("/dossiers/{case_id}/{action}")
@html_errors
async def case_action(case_id: UUID, action: str, request: Request, signed: SignedIn) -> Response:
    """One everyday action, from its form."""
    if action not in ACTIONS:
        raise ProblemError(404, "Not found", "Deze handeling bestaat niet.")
    model, duty, _ = ACTIONS[action]
    form = await posted_form(request, signed.session)
    try:
        command = model.model_validate(fields_of(form, model)).to_command(signed.user)
    except ValidationError as error:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        return await shown(request, signed.session, signed.user, case_id, None, None, problems, 422)
    return await executed(request, signed, case_id, command, guard_for(signed.user, duty), action)


@router.post("/dossiers/{case_id}/toestemmingen/{consent_id}/intrekken")
@html_errors
async def withdraw_consent(
    case_id: UUID, consent_id: str, request: Request, signed: SignedIn
) -> Response:
    """Withdraw a consent for the family members who ask it (the care team records it)."""
    form = await posted_form(request, signed.session)
    command = WithdrawConsent(consent_id=consent_id, withdrawn_by=form.get("withdrawn_by", []))
    guard = consent_guard(signed.user, consent_id)
    return await executed(request, signed, case_id, command, guard, "ingetrokken")


def consent_guard(user: User, consent_id: str) -> Any:
    """Unreadable cases do not exist for the user; a consent only its family or the care
    team withdraws."""
    read_guard = guard_for(user, Duty.CARE)

    def guard(case: Case) -> None:
        if may_withdraw_consent(user, case, consent_id):
            return
        read_guard(case)

    return guard


async def executed(
    request: Request,
    signed: SignedIn,
    case_id: UUID,
    command: CaseCommand,
    guard: Any,
    action: str,
    back: str | None = None,
) -> Response:
    """Run the command; on success back to the page at its position, else the page with
    the rule that refused it."""
    cases: CaseApplication = request.app.state.cases
    try:
        position = await in_worker_thread(
            request, cases.execute, case_id, actor_of(signed.user), command, None, guard
        )
    except DomainError as error:
        status = 422 if isinstance(error, InvalidInputError) else 409
        errors = [rule_in_dutch(error)]
        return await shown(
            request, signed.session, signed.user, case_id, None, None, errors, status
        )
    return see_other(f"{back or f'/dossiers/{case_id}'}?positie={position}&gedaan={action}")


def fields_of(form: dict[str, list[str]], model: type[CaseCommandBody]) -> dict[str, Any]:
    """A body for the API's model from a form's text: lists where it takes several values,
    numbers and yes/no as the model's strict fields want them; empty fields left out (the
    model's defaults apply), the CSRF token too. The model then validates as for JSON."""
    data: dict[str, Any] = {}
    for key, values in form.items():
        declared = model.model_fields.get(key)
        if declared is None:
            data[key] = values[0] if values else None  # the model refuses unknown fields
        elif key in LISTS:
            data[key] = [v for v in values if v]
        elif declared.annotation is bool:
            data[key] = values[-1] in ("on", "true", "ja")
        elif values and values[0] != "":
            data[key] = _number(values[0]) if declared.annotation is int else values[0]
    data.pop("csrf", None)
    return data


def _number(text: str) -> int | str:
    """An integer field's text as a number; left as text (and refused) if it is none."""
    try:
        return int(text)
    except ValueError:
        return text


@router.get("/dossier-zoeken")
@html_errors
async def find_case_page(request: Request, signed: SignedIn, dossier: str = "") -> Response:
    """For partners, who have no overview: open a dossier by its number."""
    if dossier:
        try:
            return see_other(f"/dossiers/{UUID(dossier.strip())}")
        except ValueError:
            return render(request, "dossier_zoeken.html", signed.session, 422, wrong=dossier)
    return render(request, "dossier_zoeken.html", signed.session, wrong="")
