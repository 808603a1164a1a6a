"""Shared pieces of request bodies: strict models, bounded texts and identifiers."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Identifiers = Annotated[list[Identifier], Field(max_length=50)]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:12]}"


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CommandBody(Strict):
    occurred_at: AwareDatetime | None = Field(
        None,
        description="When the fact happened (not before the case opened, not in the future);"
        " defaults to now. The recorded time is always the server's.",
        examples=["2026-03-02T10:00:00+01:00"],
    )


class PositionOut(BaseModel):
    position: int = Field(
        description="Position of the command's last event: pass it as `?position=` to a "
        "query to read your own write.",
        examples=[1042],
    )


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
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text} for status, text in PROBLEM_STATUSES.items()
}
