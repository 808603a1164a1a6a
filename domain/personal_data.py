"""Where each event holds a family's personal data: per field, whose it is and of which
category, so that a history shows an event's fields only as its viewer may see them, and
whether it is sealed (encrypted with the case's or the member's key, so that destroying
the key erases it). Everything not named here is structure: dates, ids, statuses,
categories, minutes, organisations of professionals.

Sealed are the texts and what identifies a member; fields named here but not sealed are
ids, labels and values from a fixed vocabulary (who took part, a triage outcome, a
referral's destination, a goal's life domain): hidden from viewers without consent, but
kept readable after erasure so that statistics, reports, the overview and inspection still
count them. No projection reads a sealed field: the views hold no personal data."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any, Final

from domain.case_event import CaseEvent
from domain.case_state import CaseState
from domain.events_erasure import ErasureAssessed, LegalHoldLifted, LegalHoldPlaced
from domain.events_intake import (
    CaseOpened,
    CaseTriaged,
    CoachChanged,
    CoachingEnded,
    ConversationHeld,
)
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

ERASED: Final = "[gewist]"
"""What a reader sees in place of personal data whose key was destroyed."""
IDENTIFYING = frozenset({C.IDENTITY, C.CONTACT_ADDRESS})
"""A member's own key seals these; everything else personal is sealed with the case's."""


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
    sealed: bool = True
    dotted: str = field(init=False, repr=False, compare=False)
    """The path as text ("members.0.name")."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dotted", ".".join(str(p) for p in self.path))

    @property
    def sealed_for_member(self) -> str | None:
        """The member whose own key seals this field (their identifying data), if any."""
        if self.sealed and self.member_id is not None and self.category in IDENTIFYING:
            return self.member_id
        return None


def family(category: DataCategory | None, *names: str, sealed: bool = True) -> list[PersonalField]:
    return [PersonalField((name,), category, sealed=sealed) for name in names]


@singledispatch
def personal_fields(event: CaseEvent, case: CaseState) -> list[PersonalField]:
    """The personal fields of `event` (in `case`, which knows a referral's member)."""
    return []


@personal_fields.register
def _(event: CaseOpened, case: CaseState) -> list[PersonalField]:
    fields = family(C.HELP_QUESTION, "help_question")
    fields += family(C.HELP_QUESTION, "problems_parents", "problems_children", sealed=False)
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
    return family(C.HELP_QUESTION, "outcome", "coordination_level", sealed=False)


@personal_fields.register(CoachChanged)
@personal_fields.register(CoachingEnded)
def _(event: Any, case: CaseState) -> list[PersonalField]:
    """Why the family's coach changed or stopped: about the family as much as the coach."""
    return family(C.CONVERSATION_NOTES, "reason")


@personal_fields.register
def _(event: ConversationHeld, case: CaseState) -> list[PersonalField]:
    return family(C.CONVERSATION_NOTES, "notes") + family(
        C.CONVERSATION_NOTES, "participants", sealed=False
    )


@personal_fields.register
def _(event: RoundTableHeld, case: CaseState) -> list[PersonalField]:
    return family(C.CONVERSATION_NOTES, "decisions") + family(
        C.CONVERSATION_NOTES, "members", "organisations", sealed=False
    )


@personal_fields.register
def _(event: PlanAdopted, case: CaseState) -> list[PersonalField]:
    fields = []
    for index, goal in enumerate(event.goals):
        for name, sealed in (("life_domain", False), ("description", True)):
            path = ("goals", index, name)
            fields.append(PersonalField(path, C.PLAN, goal["member_id"], sealed=sealed))
    for index, agreement in enumerate(event.agreements):
        for name, sealed in (("task", True), ("professional", False)):
            path = ("agreements", index, name)
            organisation = agreement["organisation"]
            fields.append(PersonalField(path, C.PLAN, organisation=organisation, sealed=sealed))
    return fields


@personal_fields.register
def _(event: PlanEvaluated, case: CaseState) -> list[PersonalField]:
    return family(C.PLAN, "conclusions") + family(C.PLAN, "members", "organisations", sealed=False)


@personal_fields.register
def _(event: AgreementBroken, case: CaseState) -> list[PersonalField]:
    return family(C.PLAN, "notes")


@personal_fields.register
def _(event: SeparatePlanReported, case: CaseState) -> list[PersonalField]:
    return family(C.PLAN, "description")


@personal_fields.register
def _(event: SafetyAssessed, case: CaseState) -> list[PersonalField]:
    return family(C.SAFETY, "notes") + family(C.SAFETY, "verdict", sealed=False)


@personal_fields.register
def _(event: Escalated, case: CaseState) -> list[PersonalField]:
    return family(C.SAFETY, "reason")


@personal_fields.register
def _(event: ReferralRequested, case: CaseState) -> list[PersonalField]:
    return [
        PersonalField(
            (name,), C.REFERRALS, event.member_id, organisation=event.organisation, sealed=False
        )
        for name in ("member_id", "destination")
    ]


@personal_fields.register(ReferralMoved)
@personal_fields.register(ReferralExtended)
def _(event: Any, case: CaseState) -> list[PersonalField]:
    referral = case.referrals.get(event.referral_id)
    member, organisation = (referral.member_id, referral.organisation) if referral else (None, None)
    names = ("until", "reason") if isinstance(event, ReferralExtended) else ("reason",)
    return [
        PersonalField((n,), C.REFERRALS, member, organisation=organisation, sealed=n != "until")
        for n in names
    ]


@personal_fields.register
def _(event: RefusalRecorded, case: CaseState) -> list[PersonalField]:
    return family(None, "recipient")


@personal_fields.register
def _(event: SharingDecided, case: CaseState) -> list[PersonalField]:
    return family(None, "justification")


@personal_fields.register
def _(event: ErasureAssessed, case: CaseState) -> list[PersonalField]:
    return family(None, "justification")


@personal_fields.register(LegalHoldPlaced)
@personal_fields.register(LegalHoldLifted)
def _(event: Any, case: CaseState) -> list[PersonalField]:
    return family(None, "reason")


UNKNOWN_CASE = CaseState()
UNKNOWN_CASE.referrals = {}


def sealed_fields(event: CaseEvent) -> Sequence[PersonalField]:
    """The fields of `event` to seal; which key seals each needs no case state. Worked
    out once per event class, or per shape of the data its fields depend on."""
    shape = _shape(event)
    fields = _SEALED.get(shape)
    if fields is None:
        if len(_SEALED) > SHAPES_KEPT:
            _SEALED.clear()
        fields = tuple(f for f in personal_fields(event, UNKNOWN_CASE) if f.sealed)
        _SEALED[shape] = fields
    return fields


def _shape(event: CaseEvent) -> Hashable:
    """What an event's sealed fields depend on: its class, and for some its members."""
    if isinstance(event, CaseOpened):
        return CaseOpened, tuple(m["member_id"] for m in event.members)
    if isinstance(event, PlanAdopted):
        goals = tuple(g["member_id"] for g in event.goals)
        return type(event), goals, tuple(a["organisation"] for a in event.agreements)
    return type(event)


SHAPES_KEPT = 10_000
_SEALED: dict[Hashable, tuple[PersonalField, ...]] = {}
