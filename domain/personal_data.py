"""Where each event holds a family's personal data: per field, whose it is and of which
category, so that a history shows an event's fields only as its viewer may see them (and
so that erasure knows what to make unreadable). Everything not named here is structure:
dates, ids, statuses, categories, minutes, organisations of professionals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from domain.case_event import CaseEvent
from domain.case_state import CaseState
from domain.events_intake import CaseOpened, CaseTriaged, ConversationHeld
from domain.events_lifecycle import Escalated, SafetyAssessed
from domain.events_plan import (
    AgreementBroken,
    PlanAdopted,
    PlanEvaluated,
    RoundTableHeld,
    SeparatePlanReported,
)
from domain.events_privacy import RefusalRecorded, SharingDecided
from domain.events_referral import ReferralExtended, ReferralMoved, ReferralRequested
from domain.vocabulary import DataCategory

C = DataCategory
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class PersonalField:
    """One field of an event's data (its path in the data) and what it is.

    `category` None: data about the family's privacy itself (a refusal's recipient, a
    disclosure's considerations), for direct care and supervision only. `member_id` None:
    the whole family's. `organisation`: the organisation whose own task it is."""

    path: Path
    category: DataCategory | None
    member_id: str | None = None
    secret: bool = False
    organisation: str | None = None

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)


def family(category: DataCategory | None, *names: str) -> list[PersonalField]:
    return [PersonalField((name,), category) for name in names]


@singledispatch
def personal_fields(event: CaseEvent, case: CaseState) -> list[PersonalField]:
    """The personal fields of `event` (in `case`, which knows a referral's member)."""
    return []


@personal_fields.register
def _(event: CaseOpened, case: CaseState) -> list[PersonalField]:
    fields = family(C.HELP_QUESTION, "help_question", "problems_parents", "problems_children")
    for index, member in enumerate(event.members):
        whose = member["member_id"]
        fields += [
            PersonalField(("members", index, "name"), C.IDENTITY, whose),
            PersonalField(("members", index, "birth_date"), C.IDENTITY, whose),
            PersonalField(
                ("members", index, "address"),
                C.CONTACT_ADDRESS,
                whose,
                secret=bool(member.get("address_secret")),
            ),
        ]
    return fields


@personal_fields.register
def _(event: CaseTriaged, case: CaseState) -> list[PersonalField]:
    return family(C.HELP_QUESTION, "outcome", "coordination_level")


@personal_fields.register
def _(event: ConversationHeld, case: CaseState) -> list[PersonalField]:
    return family(C.CONVERSATION_NOTES, "participants", "notes")


@personal_fields.register
def _(event: RoundTableHeld, case: CaseState) -> list[PersonalField]:
    return family(C.CONVERSATION_NOTES, "members", "organisations", "decisions")


@personal_fields.register
def _(event: PlanAdopted, case: CaseState) -> list[PersonalField]:
    fields = []
    for index, goal in enumerate(event.goals):
        for name in ("life_domain", "description"):
            fields.append(PersonalField(("goals", index, name), C.PLAN, goal["member_id"]))
    for index, agreement in enumerate(event.agreements):
        for name in ("task", "professional"):
            path = ("agreements", index, name)
            fields.append(PersonalField(path, C.PLAN, organisation=agreement["organisation"]))
    return fields


@personal_fields.register
def _(event: PlanEvaluated, case: CaseState) -> list[PersonalField]:
    return family(C.PLAN, "members", "organisations", "conclusions")


@personal_fields.register
def _(event: AgreementBroken, case: CaseState) -> list[PersonalField]:
    return family(C.PLAN, "notes")


@personal_fields.register
def _(event: SeparatePlanReported, case: CaseState) -> list[PersonalField]:
    return family(C.PLAN, "description")


@personal_fields.register
def _(event: SafetyAssessed, case: CaseState) -> list[PersonalField]:
    return family(C.SAFETY, "verdict", "notes")


@personal_fields.register
def _(event: Escalated, case: CaseState) -> list[PersonalField]:
    return family(C.SAFETY, "reason")


@personal_fields.register
def _(event: ReferralRequested, case: CaseState) -> list[PersonalField]:
    return [
        PersonalField((name,), C.REFERRALS, event.member_id, organisation=event.organisation)
        for name in ("member_id", "destination")
    ]


@personal_fields.register(ReferralMoved)
@personal_fields.register(ReferralExtended)
def _(event: Any, case: CaseState) -> list[PersonalField]:
    referral = case.referrals.get(event.referral_id)
    member, organisation = (referral.member_id, referral.organisation) if referral else (None, None)
    names = ("until", "reason") if isinstance(event, ReferralExtended) else ("reason",)
    return [PersonalField((n,), C.REFERRALS, member, organisation=organisation) for n in names]


@personal_fields.register
def _(event: RefusalRecorded, case: CaseState) -> list[PersonalField]:
    return family(None, "recipient")


@personal_fields.register
def _(event: SharingDecided, case: CaseState) -> list[PersonalField]:
    return family(None, "justification")
