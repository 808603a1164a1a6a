"""Bodies of erasure commands: the family's request, its assessment, the legal hold. (The
receipt is application.erasure_receipt.ErasureReceipt.)"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from domain.authorization import User
from domain.commands import AssessErasure, LiftLegalHold, PlaceLegalHold, RequestErasure
from domain.vocabulary import ErasureRefusalGround, ErasureScope
from interfaces.http.schemas.common import (
    CaseCommandBody,
    CommandBody,
    Identifier,
    PositionOut,
    Reason,
    new_id,
)


class ErasureRequestOut(PositionOut):
    request_id: str = Field(examples=["erasure-3f2a9c1b7d4e"])


class ErasureRequestIn(CaseCommandBody):
    answer: ClassVar[type[PositionOut]] = ErasureRequestOut
    request_id: Identifier = Field(default_factory=lambda: new_id("erasure"))
    requested_by: Identifier = Field(
        description="the family member who asks: a parent with gezag, or a young person of "
        "12 or older (an adult member for their own identifying data only)",
        examples=["mother"],
    )
    scope: ErasureScope = Field(examples=["dossier"])
    member_id: Identifier | None = Field(
        None, description="scope `member`: whose identifying data (name, birth date, address)"
    )

    def to_command(self, user: User) -> RequestErasure:
        return RequestErasure(
            request_id=self.request_id,
            requested_by=self.requested_by,
            scope=self.scope,
            member_id=self.member_id,
        )


class ErasureAssessmentIn(CommandBody):
    granted: bool = Field(strict=True, examples=[True])
    refusal_ground: ErasureRefusalGround | None = Field(
        None, description="required when refused: why the law forbids destruction"
    )
    justification: Reason | None = Field(None, description="required when refused")

    @model_validator(mode="after")
    def _refusal_has_a_ground(self) -> ErasureAssessmentIn:
        if self.granted and self.refusal_ground is not None:
            raise ValueError("a granted request has no refusal ground")
        if not self.granted and (self.refusal_ground is None or not self.justification):
            raise ValueError("a refusal names its legal ground and its justification")
        return self

    def to_command(self, request_id: str) -> AssessErasure:
        return AssessErasure(
            request_id=request_id,
            refusal_ground=self.refusal_ground,
            justification=self.justification or "",
        )


class LegalHoldIn(CaseCommandBody):
    reason: Reason = Field(examples=["Lopende procedure bij de rechtbank"])

    def to_command(self, user: User) -> PlaceLegalHold:
        return PlaceLegalHold(reason=self.reason)


class LegalHoldLiftIn(CaseCommandBody):
    reason: Reason = Field(examples=["De procedure is afgerond"])

    def to_command(self, user: User) -> LiftLegalHold:
        return LiftLegalHold(reason=self.reason)
