"""Who may consent for whom (002): under 12 the parents with gezag; 12-16 those parents
and the young person; 16 and older the young person alone, for information about themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import ConsentGiverError
from domain.family import FamilyMember
from domain.vocabulary import ConsentForm, ConsentPurpose, DataCategory

JOINT_CONSENT_AGE = 12
"""From 12 the young person consents together with the parents."""
OWN_CONSENT_AGE = 16
"""From 16 the young person alone consents about themselves."""


@dataclass(frozen=True)
class Consent:
    """A recorded consent: who gave it, about whom, to which organisation, what, why."""

    consent_id: str
    given_by: tuple[str, ...]
    about: tuple[str, ...]
    organisation: str
    categories: frozenset[DataCategory]
    purpose: ConsentPurpose
    form: ConsentForm
    granted_at: datetime
    withdrawn_at: datetime | None = None
    both_parents_required: bool = False

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class Refusal:
    """The family's explicit 'not to them' (e.g. not to an ex-partner); wins over consent."""

    refusal_id: str
    given_by: tuple[str, ...]
    recipient: str
    categories: frozenset[DataCategory]
    recorded_at: datetime


def parents_with_authority(family: Iterable[FamilyMember]) -> set[str]:
    return {m.member_id for m in family if not m.is_child and m.parental_authority}


def check_may_consent_about(
    member: FamilyMember,
    given_by: set[str],
    family: list[FamilyMember],
    on: date,
    both_parents_required: bool,
) -> None:
    """Raise ConsentGiverError unless `given_by` may consent about `member` on `on`."""
    if not member.is_child:
        if member.member_id not in given_by:
            raise ConsentGiverError(f"{member.member_id} is an adult and consents for themselves")
        return
    age = member.age_on(on)
    if age is None:
        _check_age_unknown(member, given_by, family, both_parents_required)
        return
    if age >= OWN_CONSENT_AGE:
        if member.member_id not in given_by:
            raise ConsentGiverError(
                f"{member.member_id} is {age}: from {OWN_CONSENT_AGE} the young person "
                "alone consents about themselves"
            )
        return
    _check_parents_consented(member, given_by, family, both_parents_required)
    if age >= JOINT_CONSENT_AGE and member.member_id not in given_by:
        raise ConsentGiverError(
            f"{member.member_id} is {age}: from {JOINT_CONSENT_AGE} to {OWN_CONSENT_AGE} the "
            "young person consents together with the parents"
        )


def _check_age_unknown(
    child: FamilyMember, given_by: set[str], family: list[FamilyMember], both: bool
) -> None:
    """A child whose birth date was erased has no known age: everyone who might hold the
    right consents (the young person and the parents), so no consent is wrongly taken."""
    _check_parents_consented(child, given_by, family, both)
    if child.member_id not in given_by:
        raise ConsentGiverError(
            f"{child.member_id}'s age is unknown (their birth date was erased): the young "
            "person consents together with the parents"
        )


def _check_parents_consented(
    child: FamilyMember, given_by: set[str], family: list[FamilyMember], both: bool
) -> None:
    with_authority = parents_with_authority(family)
    if not with_authority:
        raise ConsentGiverError(
            f"no parent with parental authority is recorded for {child.member_id}"
        )
    consenting = with_authority & given_by
    if both and consenting != with_authority:
        missing = ", ".join(sorted(with_authority - consenting))
        raise ConsentGiverError(f"this service needs both parents' consent; missing: {missing}")
    if not consenting:
        raise ConsentGiverError(
            f"{child.member_id} is a minor: a parent with parental authority must consent"
        )
