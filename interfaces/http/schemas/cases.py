"""Bodies for opening a case and the case as a viewer may see it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from domain.vocabulary import Channel, MemberRole, ProblemCategory, Urgency
from interfaces.http.schemas.common import (
    Address,
    CommandBody,
    Identifier,
    Identifiers,
    Name,
    ProfessionalRef,
    Strict,
    Text,
    new_id,
)


class MemberIn(Strict):
    member_id: Identifier = Field(examples=["mother"])
    role: MemberRole = Field(examples=["parent"])
    name: Name = Field(examples=["Fatima de Vries"])
    birth_date: date = Field(examples=["1988-05-02"])
    parental_authority: bool = Field(False, strict=True)
    address: Address = ""
    address_secret: bool = Field(False, strict=True)


class OpenCaseIn(CommandBody):
    """A melding: who reported it, the family, and the first description of the question."""

    municipality: Identifier = Field(examples=["den-haag"])
    team: Identifier = Field(examples=["centrum"])
    channel: Channel = Field(examples=["professional"])
    reporter_organisation: Identifier = Field(examples=["school-de-linde"])
    reporter_professional: ProfessionalRef = Field("", examples=["teacher-7"])
    members: list[MemberIn] = Field(
        min_length=2,
        max_length=20,
        description="At least one parent or carer and one child aged 0-23; member ids unique.",
    )
    help_question_id: Identifier = Field(default_factory=lambda: new_id("hq"))
    help_question: Text = Field(examples=["Ouders vragen hulp bij opvoeding"])
    problems_parents: list[ProblemCategory] = Field(default_factory=list, max_length=9)
    problems_children: list[ProblemCategory] = Field(default_factory=list, max_length=9)
    urgency: Urgency = Urgency.NORMAL
    previous_case_id: UUID | None = None
    link_consented_by: Identifiers = Field(default_factory=list)


class CaseCreatedOut(BaseModel):
    case_id: UUID
    position: int
