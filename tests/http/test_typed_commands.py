"""The command path is typed end to end: every command route's body builds one domain
command object (its `to_command` names the class it returns, so mypy checks the fields
from the body to the case's method), and every command of the domain is reachable so."""

from __future__ import annotations

import inspect
from typing import get_type_hints

from domain import commands
from domain.commands import CaseCommand, DestroyAfterRetention, ExecuteErasure
from interfaces.http.routers.commands import command_of, router
from interfaces.http.schemas.common import CommandBody

NOT_FROM_A_BODY = {DestroyAfterRetention, ExecuteErasure}
"""The retention job's command, and an execution, which has no body (its id is the path)."""


def bodies() -> list[type[CommandBody]]:
    found = []
    for route in router.routes:
        body = route.body_field  # type: ignore[attr-defined]
        if body is not None:
            annotation = body.field_info.annotation
            model = next(a for a in getattr(annotation, "__args__", (annotation,)) if a)
            found.append(model)
    return found


def test_every_command_route_builds_one_named_domain_command() -> None:
    for model in bodies():
        built = command_of(model)
        assert inspect.isclass(built) and issubclass(built, CaseCommand), model
        assert not inspect.isabstract(built), model
        assert get_type_hints(model.to_command)["return"] is built  # type: ignore[attr-defined]


def test_every_domain_command_is_reached_from_the_api() -> None:
    concrete = {
        c
        for c in vars(commands).values()
        if inspect.isclass(c) and issubclass(c, CaseCommand) and not inspect.isabstract(c)
    }
    built = {command_of(model) for model in bodies()}
    assert concrete - built == NOT_FROM_A_BODY
