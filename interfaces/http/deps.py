"""Dependencies of the routes: the application, the authenticated user, a readable case.

Dependencies are `async def`: they are cheap, and run on the event loop without a hop to
a thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.security import HTTPBearer

from application.cases import CaseApplication
from application.errors import CaseNotFoundError
from application.settings import Settings
from domain.authorization import Duty, User, may_perform, may_read
from domain.case import Case
from interfaces.http.problems import ProblemError
from interfaces.tokens import InvalidTokenError, TokenService

UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


class BearerUser(HTTPBearer):
    """The authenticated user of `Authorization: Bearer <JWT>`: the bearer scheme in the
    OpenAPI and the token's verification in one dependency (each dependency FastAPI
    solves costs time on every request)."""

    async def __call__(self, request: Request) -> User:  # type: ignore[override]
        credentials = await super().__call__(request)
        if credentials is None:
            raise ProblemError(
                401, "Not authenticated", "send Authorization: Bearer <token>", UNAUTHORIZED
            )
        tokens: TokenService = request.app.state.tokens
        try:
            return tokens.verify(credentials.credentials)
        except InvalidTokenError as error:
            raise ProblemError(401, "Invalid token", str(error), UNAUTHORIZED) from None


current_user = BearerUser(
    scheme_name="HTTPBearer",
    auto_error=False,
    description="A JWT: `gezinsregie token --help`",
)


async def get_cases(request: Request) -> CaseApplication:
    cases: CaseApplication = request.app.state.cases
    return cases


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


CasesDep = Annotated[CaseApplication, Depends(get_cases)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UserDep = Annotated[User, Depends(current_user)]
PositionQuery = Annotated[
    int | None,
    Query(
        ge=0,
        le=2**53,
        description="Wait (at most a few seconds) until this position is readable",
    ),
]


def wait_until(position: int | None, current: Callable[[], int], timeout: float, what: str) -> None:
    """Read-your-writes: wait until `what` has reached `position`, or answer 503."""
    if position is None:
        return
    deadline = time.monotonic() + timeout
    pause = 0.002
    while current() < position:
        if time.monotonic() >= deadline:
            raise ProblemError(
                503,
                "Not yet available",
                f"{what} has not reached position {position} yet; retry shortly",
                {"Retry-After": "1"},
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def wait_for_position(cases: CaseApplication, position: int | None, timeout: float) -> None:
    if position is None or cases.has_reached(position):
        return
    check_position_recorded(cases, position)
    wait_until(position, cases.position, timeout, "the case store")


def check_position_recorded(cases: CaseApplication, position: int | None) -> None:
    """A position is given out when its event is committed: one beyond the store's last
    is none a write answered (yet), so waiting for it would only time out."""
    if position is None or cases.has_reached(position):
        return
    head = cases.position()
    if position > head:
        raise ProblemError(
            422,
            "No such position",
            f"position {position} is not recorded (the store is at {head}): use a position"
            " a write answered",
        )


def readable_case(cases: CaseApplication, user: User, case_id: UUID) -> Case:
    """The case, if this user has a part in it; otherwise it does not exist for them."""
    try:
        case = cases.get_case(case_id)
    except CaseNotFoundError:
        raise ProblemError(404, "Not found", f"there is no case {case_id}") from None
    if not may_read(user, case):
        raise ProblemError(404, "Not found", f"there is no case {case_id}")
    return case


def check_may_perform(user: User, case: Case, duty: Duty, referral_id: str | None = None) -> None:
    if not may_perform(user, case, duty, referral_id):
        raise ProblemError(403, "Forbidden", f"your roles do not allow this on case {case.id}")
