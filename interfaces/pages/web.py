"""What every page handler shares: the signed-in user from the session, rendering a
template with the session's CSRF token, checking that token on every form, and showing
the API's refusals (404, 403, 409, 503) as a page instead of problem+json."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ParamSpec

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from application.errors import ConcurrentChangeError
from domain.authorization import Role, User, may_see_coordination
from domain.errors import DomainError
from interfaces.http.problems import ProblemError
from interfaces.pages import labels
from interfaces.pages.session import Session, Sessions

TEMPLATES = Path(__file__).parent / "templates"
P = ParamSpec("P")


IN_DUTCH = {
    404: ("Niet gevonden", "Dit bestaat niet, of u heeft er geen rol in."),
    401: ("Niet aangemeld", "Meld u eerst aan."),
    503: ("Even niet beschikbaar", "Probeer het over een minuut opnieuw."),
}
"""Refusals said the same way whatever the API's detail (which may be English). A 409 or
422 keeps its detail: it names the rule."""
OUTSIDE_SCOPE = "Kies een gemeente en team binnen uw eigen werkgebied."
NOT_YOURS = "Deze pagina of handeling hoort niet bij uw rol."
DONE_FAMILY = {"ingetrokken": "Uw toestemming is ingetrokken."}


class SignInRequiredError(Exception):
    """The page needs a signed-in user: the browser is sent to the sign-in page."""


@dataclass(frozen=True)
class PageKit:
    """The pages' tools, built once per app: templates and the session cookie."""

    templates: Jinja2Templates
    sessions: Sessions

    @classmethod
    def build(cls, sessions: Sessions) -> PageKit:
        templates = Jinja2Templates(directory=TEMPLATES)
        env = templates.env
        env.filters["datum"] = labels.dutch_date
        env.filters["nl"] = labels.dutch_named
        env.globals["dutch"] = labels.dutch
        env.globals["STATUS"] = labels.STATUS
        env.globals["SIGNALS"] = labels.SIGNALS
        return cls(templates, sessions)


@dataclass(frozen=True)
class Signed:
    """A signed-in request: its session and the user."""

    session: Session
    user: User


def kit(request: Request) -> PageKit:
    pages: PageKit = request.app.state.pages
    return pages


async def signed_in(request: Request) -> Signed:
    session = kit(request).sessions.read(request)
    if session is None or session.user is None:
        raise SignInRequiredError()
    return Signed(session, session.user)


SignedIn = Annotated[Signed, Depends(signed_in)]


def render(
    request: Request, template: str, session: Session | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """The page, with the user, the CSRF token for its forms and the navigation."""
    user = session.user if session else None
    response = kit(request).templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf": session.csrf if session else "",
            "nav": navigation(user),
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def navigation(user: User | None) -> list[tuple[str, str]]:
    """The menu for this user's roles: (path, label)."""
    if user is None:
        return []
    if user.has(Role.FAMILY):
        return [("/mijn-dossier", "Mijn dossier")]
    items = []
    if may_see_coordination(user):
        if not user.has(Role.COACH) or user.has(Role.ADMIN):
            items.append(("/wachtlijst", "Wachtlijst"))
        items.append(("/overzicht", "Overzicht"))
        if not user.has(Role.COACH) or user.has(Role.ADMIN):
            items.append(("/caseload", "Caseload"))
    if user.has(Role.PARTNER):
        items.append(("/dossier-zoeken", "Dossier openen"))
    return items


def home_of(user: User) -> str:
    """Where a user starts after signing in."""
    if user.has(Role.FAMILY):
        return "/mijn-dossier"
    if user.has(Role.PARTNER) and not may_see_coordination(user):
        return "/dossier-zoeken"
    if user.has(Role.COACH) and not user.has(Role.ADMIN):
        return "/overzicht"
    return "/wachtlijst"


async def posted_form(request: Request, session: Session | None) -> dict[str, list[str]]:
    """The form's fields, once its CSRF token matched the session's (else 403)."""
    form = await request.form()
    token = form.get("csrf")
    if session is None or not session.csrf_matches(token if isinstance(token, str) else None):
        raise ProblemError(
            403, "Formulier verlopen", "Laad de pagina opnieuw en probeer het nog eens."
        )
    return {key: [str(v) for v in form.getlist(key)] for key in form}


def signed_in_response(request: Request, session: Session, user: User) -> Response:
    """Signed in: a new session (a fresh CSRF token) and on to the user's start page."""
    response = see_other(home_of(user))
    kit(request).sessions.write(request, response, session.signed_in(user))
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def html_errors(
    endpoint: Callable[P, Awaitable[Response]],
) -> Callable[P, Awaitable[Response]]:
    """The API's refusals shown as a page: not found, forbidden, a rule of the case."""

    @functools.wraps(endpoint)
    async def shown(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = kwargs["request"]
        assert isinstance(request, Request)
        try:
            return await endpoint(*args, **kwargs)
        except ProblemError as error:
            return error_page(request, error.status, error.title, error.detail, error.headers)
        except (DomainError, ConcurrentChangeError) as error:
            return error_page(request, 409, "Dat kan niet", labels.rule_in_dutch(error))
        except RequestValidationError:  # the API's 422: a place outside the user's scope
            return error_page(request, 422, "Buiten uw werkgebied", OUTSIDE_SCOPE)

    return shown


def error_page(
    request: Request,
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    session = kit(request).sessions.read(request)
    shown = IN_DUTCH.get(status, (title, detail))
    if status == 403:
        own = title != "Forbidden"  # the pages' own refusals are in Dutch already
        shown = (title if own else "Geen toegang", detail if own else NOT_YOURS)
    response = render(request, "fout.html", session, status, title=shown[0], detail=shown[1])
    response.headers.update(headers or {})
    return response
