"""Filters asked for within a user's scope: a filter may narrow what the user sees, never
name what lies outside it. Asking for another municipality (or team) than one's own is a
422 naming the parameter, not an answer about one's own quietly given instead.

(No `from __future__ import annotations`: kept like the other query helpers.)"""

from fastapi.exceptions import RequestValidationError

from domain.authorization import CoordinationScope


def out_of_scope(name: str, asked: str, own: str) -> RequestValidationError:
    """The 422 for a filter outside the scope, naming `query.<name>`."""
    shown = own or "none"
    message = f"{asked!r} is outside your scope (your {name}: {shown})"
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def within(own: str | None, asked: str | None, name: str) -> str | None:
    """The value to filter on: the scope's own, or the one asked if the scope leaves it
    open; 422 if one is asked that differs from the scope's own."""
    if own is None:
        return asked
    if asked is not None and asked != own:
        raise out_of_scope(name, asked, own)
    return own


def narrowed(
    own: CoordinationScope, municipality: str | None, team: str | None
) -> CoordinationScope:
    """The user's scope narrowed by the place filters they asked for."""
    return CoordinationScope(
        municipality=within(own.municipality, municipality, "municipality"),
        team=within(own.team, team, "team"),
        coach=own.coach,
        coach_organisation=own.coach_organisation,
    )
