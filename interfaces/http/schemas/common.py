"""Shared pieces of request bodies: strict models, bounded texts and identifiers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from domain.authorization import User
from domain.commands import CaseCommand
from domain.errors import InvalidInputError
from domain.text import TEXT_RULE, unprintable_in
from interfaces.moments import EARLIEST_YEAR, LATEST_YEAR, MOMENT_WITH_TIME, check_real_moment


def _one_line(text: str) -> str:
    if reason := unprintable_in(text, multiline=False):
        raise ValueError(f"not printable text: {reason}")
    return text


def _multiline(text: str) -> str:
    if reason := unprintable_in(text, multiline=True):
        raise ValueError(f"not printable text: {reason}")
    return text


OneLine = AfterValidator(_one_line)
MultiLine = AfterValidator(_multiline)
ONE_LINE_RULE = Field(description=f"One line of printable text: {TEXT_RULE}.")
MULTILINE_RULE = Field(description=f"Printable text, line breaks allowed: {TEXT_RULE}.")

MOMENT_RULE = (
    "ISO 8601 with a time-zone offset within ±14:00 (e.g. 2026-03-02T10:00:00+01:00), "
    f"years {EARLIEST_YEAR}-{LATEST_YEAR}"
)


def _written_as_iso_8601(value: object) -> object:
    """A moment is text such as 2026-03-02T10:00:00+01:00, not a number of seconds."""
    if isinstance(value, str) and not MOMENT_WITH_TIME.match(value):
        raise ValueError(f"a moment is written as {MOMENT_RULE}")
    if not isinstance(value, str | datetime):
        raise ValueError(f"a moment is written as {MOMENT_RULE}")
    return value


Moment = Annotated[
    AwareDatetime, BeforeValidator(_written_as_iso_8601), AfterValidator(check_real_moment)
]
"""When a fact happened, as a client gives it: ISO 8601 text with a real offset (a fact
happens at a time; a bound in a query may be a date: `interfaces.moments`)."""

Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine, ONE_LINE_RULE]
Address = Annotated[str, StringConstraints(max_length=500), OneLine, ONE_LINE_RULE]
ProfessionalRef = Annotated[str, StringConstraints(max_length=64), OneLine, ONE_LINE_RULE]
"""Who at an organisation (free form, may be empty): not an identifier of ours."""
Text = Annotated[str, StringConstraints(max_length=5000), MultiLine, MULTILINE_RULE]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000), MultiLine, MULTILINE_RULE]
Identifiers = Annotated[list[Identifier], Field(max_length=50)]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:12]}"


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CommandBody(Strict):
    occurred_at: Moment | None = Field(
        None,
        description="When the fact happened (not before the case opened, not in the future);"
        f" defaults to now. The recorded time is always the server's. {MOMENT_RULE}.",
        examples=["2026-03-02T10:00:00+01:00"],
    )


class PositionOut(BaseModel):
    position: int = Field(
        description="Position of the command's last event: pass it as `?position=` to a "
        "query to read your own write.",
        examples=[1042],
    )


class CaseCommandBody(CommandBody, ABC):
    """A command on a case as the HTTP body gives it; `answer` is what the API answers
    (the position, and the id of what the command made, where it makes something)."""

    answer: ClassVar[type[PositionOut]] = PositionOut
    body_fields: ClassVar[Mapping[str, str]] = {}
    """The body's name of a command field it names otherwise (a 422 names the body's)."""

    @abstractmethod
    def to_command(self, user: User) -> CaseCommand:
        """The domain's command, as `user` gives it."""

    @classmethod
    def in_body_terms(cls, error: InvalidInputError) -> InvalidInputError:
        """The domain's refusal of a field, naming the field as this body calls it."""
        named = cls.body_fields.get(error.field or "")
        return error if named is None else InvalidInputError(error.message, named)


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error, as application/problem+json (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    rule: str | None = Field(None, description="the rule of the case that forbids this (409)")
    errors: list[FieldError] | None = Field(None, description="the invalid fields (422)")


PROBLEM_STATUSES = {
    401: "No token, or an invalid one",
    403: "Your roles do not allow this",
    404: "No such case (or none you have a part in)",
    409: "A rule of the case forbids this, or it was changed concurrently; nothing was stored",
    413: "The body is too large",
    422: "Invalid input; the fields are listed",
    503: "The position asked for is not readable yet; retry after Retry-After seconds",
}
PROBLEM_EXAMPLES: dict[int, dict[str, Any]] = {
    401: {"title": "Not authenticated", "detail": "send Authorization: Bearer <token>"},
    403: {"title": "Forbidden", "detail": "your roles do not allow this on case 1f33b07f-..."},
    404: {"title": "Not found", "detail": "there is no case 1f33b07f-160c-488b-8b68-de1e87e07200"},
    409: {
        "title": "A rule of the case forbids this",
        "detail": "the case is closed: nothing but reopening can happen",
        "rule": "closed-case-only-reopens",
    },
    413: {"title": "Body too large", "detail": "request bodies are limited to 1048576 bytes"},
    422: {
        "title": "Invalid input",
        "detail": "body.member_id: not a member of this family: grandma",
        "rule": "valid-input",
        "errors": [{"field": "body.member_id", "message": "not a member of this family: grandma"}],
    },
    503: {
        "title": "Store unavailable",
        "detail": "the database cannot be reached now; nothing was stored; try again shortly",
    },
}
"""One example of each error, as the API sends it (operations show their own 409 rules)."""


def problem_example(status: int, **fields: Any) -> dict[str, Any]:
    return {"type": "about:blank", "status": status, **PROBLEM_EXAMPLES[status], **fields}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "description": text,
        "content": {"application/json": {"example": problem_example(status)}},
    }
    for status, text in PROBLEM_STATUSES.items()
}
