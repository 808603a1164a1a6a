"""The overview and the caseload of a scope, computed once per position of the overview
view (and, for the overview's signals, per minute) and then shown again from memory.

Both read every row of the user's scope (a municipality of 10,000 cases: tens of
milliseconds, the changed cases computed again by `projections.overview_entries`); a
coordinator pages and filters through the same result, and a page shows 50 of it. The
API's own route functions compute it, so scope and content are the API's; a new event in
the view (or the next minute) makes the next read compute it afresh."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request

from domain.authorization import User
from interfaces.http.routers import coordination

SIZE = 64
"""Scopes kept (coordinators and managers share theirs; each coach has one)."""


class Memo:
    """Computed answers by key, the least recently used forgotten first."""

    def __init__(self, size: int = SIZE) -> None:
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer


def scope_key(
    request: Request, user: User, municipality: str | None, team: str | None
) -> tuple[Any, ...]:
    """Who sees the same overview (the API's scoping: 403 for those who see none), at
    which position of the view and minute."""
    scope = coordination.scoped(user, municipality, team)
    cases = request.app.state.cases
    view = request.app.state.views.opened["overview"].view
    minute = cases.clock.now().replace(second=0, microsecond=0)
    return (*vars(scope).values(), view.position(cases.name), minute)


def overview(
    request: Request, user: User, municipality: str | None, team: str | None, position: int | None
) -> dict[str, Any]:
    settings = request.app.state.settings
    coordination.view_of(request, "overview", position, settings.wait_timeout_seconds)
    key = ("overview", *scope_key(request, user, municipality, team))
    memo: Memo = request.app.state.page_memo
    found: dict[str, Any] = memo.get(
        key,
        lambda: coordination.overview_in_scope(request, user, municipality, team),
    )
    return found


def caseload(
    request: Request, user: User, municipality: str | None, position: int | None
) -> dict[str, Any]:
    settings = request.app.state.settings
    coordination.view_of(request, "overview", position, settings.wait_timeout_seconds)
    key = ("caseload", *scope_key(request, user, municipality, None))
    memo: Memo = request.app.state.page_memo
    found: dict[str, Any] = memo.get(
        key, lambda: coordination.caseload_in_scope(request, user, municipality)
    )
    return found
