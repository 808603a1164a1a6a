"""Destroying a family's personal data (domain.md §3, Jeugdwet art. 7.3.11): a dossier is
kept 20 years after the end of care; earlier, a parent with gezag or a young person of 12
or older may ask for it to be destroyed, which must happen within 3 months unless another
person's significant interest or a legal rule forbids it. A legal hold stops both."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime

from domain.errors import ErasureRequestError
from domain.family import FamilyMember
from domain.vocabulary import (
    DataCategory,
    ErasureCause,
    ErasureRefusalGround,
    ErasureRelation,
    ErasureScope,
    ErasureStatus,
)

ERASURE_DEADLINE_MONTHS = 3
"""A granted request is carried out within 3 months of the request."""
YOUNG_PERSON_AGE = 12
"""From 12 a young person may ask for their dossier to be destroyed."""
PARENT_SPEAKS_UNTIL = 16
"""A parent with gezag asks for a child's identifying data until the child is 16."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def erasure_due_on(requested_on: date) -> date:
    return add_months(requested_on, ERASURE_DEADLINE_MONTHS)


def retention_ends_on(care_ended_on: date, years: int) -> date:
    """The first day the dossier may be destroyed: `years` after care ended (care that
    ended on 29 February is kept until 1 March in a year without one, never a day less)."""
    try:
        return care_ended_on.replace(year=care_ended_on.year + years)
    except ValueError:
        return date(care_ended_on.year + years, 3, 1)


@dataclass(frozen=True)
class ErasureRequest:
    """A request for early destruction, as it was assessed and carried out."""

    request_id: str
    requested_by: str
    relation: ErasureRelation
    scope: ErasureScope
    member_id: str | None
    requested_at: datetime
    due_on: date
    status: ErasureStatus = ErasureStatus.REQUESTED
    assessed_at: datetime | None = None
    refusal_ground: ErasureRefusalGround | None = None
    executed_at: datetime | None = None

    @property
    def outstanding(self) -> bool:
        """Still to be assessed or carried out: the deadline runs."""
        return self.status in (ErasureStatus.REQUESTED, ErasureStatus.GRANTED)

    def assessed(self, at: datetime, ground: ErasureRefusalGround | None) -> ErasureRequest:
        status = ErasureStatus.REFUSED if ground else ErasureStatus.GRANTED
        return replace(self, status=status, assessed_at=at, refusal_ground=ground)

    def executed(self, at: datetime) -> ErasureRequest:
        return replace(self, status=ErasureStatus.EXECUTED, executed_at=at)


@dataclass(frozen=True)
class Erasure:
    """Personal data destroyed: the whole dossier's, or one member's identifying data."""

    cause: ErasureCause
    scope: ErasureScope
    member_id: str | None
    erased_at: datetime
    request_id: str | None
    categories: tuple[DataCategory, ...]


@dataclass(frozen=True)
class LegalHold:
    placed_at: datetime
    placed_by: str


def relation_of(requester: FamilyMember, on: date) -> ErasureRelation:
    """What the requester is to the dossier; children under 12 may not ask."""
    if requester.is_child:
        age = requester.age_on(on)
        if age is None or age < YOUNG_PERSON_AGE:
            raise ErasureRequestError(
                f"{requester.member_id} is not known to be {YOUNG_PERSON_AGE} or older: "
                "a parent with gezag asks for them"
            )
        return ErasureRelation.YOUNG_PERSON
    if requester.parental_authority:
        return ErasureRelation.PARENT_WITH_AUTHORITY
    return ErasureRelation.ADULT_MEMBER


def check_may_request(
    requester: FamilyMember,
    relation: ErasureRelation,
    scope: ErasureScope,
    subject: FamilyMember | None,
    on: date,
) -> None:
    """The whole dossier: a parent with gezag or the young person. One member's identifying
    data: that member themselves, or a parent with gezag for a child under 16."""
    if scope is ErasureScope.DOSSIER:
        if relation is ErasureRelation.ADULT_MEMBER:
            raise ErasureRequestError(
                f"{requester.member_id} has no parental authority: only a parent with gezag "
                f"or a young person of {YOUNG_PERSON_AGE} or older asks to destroy the dossier"
            )
        return
    assert subject is not None
    if subject.member_id == requester.member_id:
        return
    age = subject.age_on(on)
    speaks_for_child = (
        relation is ErasureRelation.PARENT_WITH_AUTHORITY
        and subject.is_child
        and age is not None
        and age < PARENT_SPEAKS_UNTIL
    )
    if not speaks_for_child:
        raise ErasureRequestError(
            f"{requester.member_id} may not ask to erase {subject.member_id}'s data: a member "
            f"asks for themselves, a parent with gezag for a child under {PARENT_SPEAKS_UNTIL}"
        )
