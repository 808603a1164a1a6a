"""Signing in and out of the pages. On the embedded default one picks a demo user (or, as
a family member, names a case and member); in production the organisation's identity
provider signs people in with OpenID Connect (`oidc.py`). Either way the session cookie
then holds the user, and every form carries the session's CSRF token."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from application.cases import CaseApplication
from application.errors import CaseNotFoundError
from application.settings import Settings
from domain.authorization import User
from interfaces.http.problems import ProblemError
from interfaces.http.worker_threads import in_worker_thread
from interfaces.pages.demo_users import BY_KEY, DEMO_USERS, family_member
from interfaces.pages.session import Session
from interfaces.pages.web import (
    home_of,
    html_errors,
    kit,
    posted_form,
    render,
    see_other,
    signed_in_response,
)

router = APIRouter(include_in_schema=False)


@router.get("/")
async def start(request: Request) -> Response:
    """Signed in: the user's own start page; otherwise the sign-in page."""
    session = kit(request).sessions.read(request)
    if session is None or session.user is None:
        return see_other("/aanmelden")
    return see_other(home_of(session.user))


@router.get("/aanmelden")
async def sign_in_page(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    session = kit(request).sessions.read(request) or Session()
    response = render(
        request,
        "aanmelden.html",
        session,
        demo_users=DEMO_USERS if settings.offers_demo_sign_in else (),
        oidc=bool(settings.oidc_issuer),
    )
    kit(request).sessions.write(request, response, session)
    return response


@router.post("/aanmelden/demo")
@html_errors
async def sign_in_as_demo_user(request: Request) -> Response:
    """Sign in as a demo user, or as a member of a demo family (embedded default only)."""
    settings: Settings = request.app.state.settings
    if not settings.offers_demo_sign_in:
        raise ProblemError(404, "Not found", "demo users are for the embedded default")
    session = kit(request).sessions.read(request)
    form = await posted_form(request, session)
    assert session is not None
    key = (form.get("wie") or [""])[0]
    if key == "gezin":
        user = await in_worker_thread(request, family_user, request, form)
    elif key in BY_KEY:
        user = BY_KEY[key].user
    else:
        raise ProblemError(422, "Kies een gebruiker", "Kies een van de gebruikers in de lijst.")
    return signed_in_response(request, session, user)


def family_user(request: Request, form: dict[str, list[str]]) -> User:
    """A member of an existing case (only its membership is looked at, nothing shown)."""
    case_text = (form.get("dossier") or [""])[0].strip()
    member_id = (form.get("lid") or [""])[0].strip()
    cases: CaseApplication = request.app.state.cases
    try:
        case = cases.get_case(UUID(case_text))
    except (ValueError, CaseNotFoundError):
        raise ProblemError(404, "Not found", "Dit dossier bestaat niet.") from None
    if member_id not in case.members:
        raise ProblemError(404, "Not found", "Dit gezinslid hoort niet bij dit dossier.")
    return family_member(str(case.id), member_id)


@router.post("/afmelden")
@html_errors
async def sign_out(request: Request) -> Response:
    session = kit(request).sessions.read(request)
    await posted_form(request, session)
    response = see_other("/aanmelden")
    kit(request).sessions.clear(response)
    return response
