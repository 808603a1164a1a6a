"""The family: its members, their ages and who holds parental authority (gezag)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidInputError
from domain.vocabulary import MemberRole

MAX_AGE = 120
MAX_CHILD_AGE = 23
"""Family coaching is for families with a child of 0 to 23 years (domain brief §2)."""


@dataclass(frozen=True)
class FamilyMember:
    """One person in the family. Name, birth date and address identify them: once erased,
    name and address read as the erased marker and the birth date (so the age) is unknown."""

    member_id: str
    role: MemberRole
    name: str
    birth_date: date | None
    parental_authority: bool = False
    address: str = ""
    address_secret: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", MemberRole(self.role))

    def age_on(self, day: date) -> int | None:
        """Completed years on `day`; None once the birth date was erased."""
        if self.birth_date is None:
            return None
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    @property
    def is_child(self) -> bool:
        return self.role is MemberRole.CHILD

    def as_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "role": self.role.value,
            "name": self.name,
            "birth_date": self.birth_date,
            "parental_authority": self.parental_authority,
            "address": self.address,
            "address_secret": self.address_secret,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FamilyMember:
        return cls(
            member_id=str(data["member_id"]),
            role=MemberRole(data["role"]),
            name=str(data["name"]),
            birth_date=data["birth_date"] if isinstance(data["birth_date"], date) else None,
            parental_authority=bool(data.get("parental_authority", False)),
            address=str(data.get("address", "")),
            address_secret=bool(data.get("address_secret", False)),
        )


def check_is_a_family(members: list[FamilyMember], on: date) -> None:
    """A family is at least one parent or carer and one child aged 0-23, with unique ids."""
    ids = [m.member_id for m in members]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("family member ids must be unique", "members")
    if not any(not m.is_child for m in members):
        raise InvalidInputError("a family needs at least one parent or carer", "members")
    for member in members:
        age = member.age_on(on)
        if age is None or not 0 <= age <= MAX_AGE:
            raise InvalidInputError(
                f"{member.member_id} cannot be born on {member.birth_date}", "members"
            )
    children = [m for m in members if m.is_child]
    if not children:
        raise InvalidInputError("a family needs at least one child", "members")
    for child in children:
        age = child.age_on(on)
        if age is None or not 0 <= age <= MAX_CHILD_AGE:
            raise InvalidInputError(
                f"child {child.member_id} is {age} years old; family care is for ages 0-23",
                "members",
            )
