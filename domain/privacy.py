"""What a viewer may see of a case: per family member and data category, with the legal
ground it rests on and, for what is withheld, why. One function decides (domain.md §3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain.authorization import Role, User, is_family_member, provides_care
from domain.case_state import CaseState
from domain.consent import Consent, check_may_consent_about
from domain.errors import ConsentGiverError
from domain.personal_data import PersonalField
from domain.plan import Agreement
from domain.referral import Referral
from domain.vocabulary import ConsentPurpose, DataCategory, LegalGround

ALL_CATEGORIES = frozenset(DataCategory)
MEMBER_CATEGORIES = frozenset(
    {DataCategory.IDENTITY, DataCategory.CONTACT_ADDRESS, DataCategory.REFERRALS, DataCategory.PLAN}
)
"""Categories whose data belongs to one member; the rest concern the whole family and are
shown only when shared for every member, or opened by a disclosure (see `visibility`)."""
FAMILY_CATEGORIES = ALL_CATEGORIES - MEMBER_CATEGORIES
DEFAULT_PURPOSE = {Role.PARTNER: ConsentPurpose.REFERRAL}
"""The purpose a role reads for unless it says otherwise (`X-Purpose`)."""
DIRECT_CARE = "direct care (Jeugdwet art. 7.3.11)"
SUPERVISION = "supervision and audit (legal obligation)"
OWN_FILE = "the family's own file (AVG art. 15, right of access)"
FAMILY_SEES = frozenset({DataCategory.IDENTITY, DataCategory.PLAN})
"""A family member signed in sees the family's names and plan (goals, agreements) and
every consent; the rest (notes, safety, addresses that may be secret from someone in the
family) they ask their coach for."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking, and in which capacity. `provides_care`: the assigned coach or the
    coordination team handling the case; `supervises`: auditors and administrators."""

    subject: str
    organisation: str
    provides_care: bool
    supervises: bool
    purpose: ConsentPurpose
    family_member: bool = False


@dataclass(frozen=True)
class Withheld:
    category: DataCategory
    reason: str
    member_id: str | None = None


@dataclass
class Visibility:
    """Per member the categories this viewer may see, the family-level categories a
    disclosure opened, and what was withheld and why. Every question of what may leave
    is answered here."""

    per_member: dict[str, set[DataCategory]]
    secret_addresses_visible: bool = False
    grounds: set[str] = field(default_factory=set)
    withheld: list[Withheld] = field(default_factory=list)
    organisation: str = ""
    in_care: bool = False
    supervises: bool = False
    family_opened: set[DataCategory] = field(default_factory=set)
    own_family: bool = False

    def sees(self, member_id: str, category: DataCategory) -> bool:
        return category in self.per_member.get(member_id, set())

    def sees_family(self, category: DataCategory) -> bool:
        """Family-level data: when shared for every member, or opened by a disclosure."""
        if category in self.family_opened:
            return True
        return all(category in cats for cats in self.per_member.values())

    def sees_address_of(self, member_id: str, secret: bool) -> bool:
        visible = self.sees(member_id, DataCategory.CONTACT_ADDRESS)
        return visible and (not secret or self.secret_addresses_visible)

    def sees_triage(self) -> bool:
        """A triage weighs the family's question: shown with the help question."""
        return self.sees_family(DataCategory.HELP_QUESTION)

    def sees_who_took_part(self) -> bool:
        """Who attended a conversation or round table (members, other organisations) tells
        as much as its notes: shown with them. The dates and kinds are structure."""
        return self.sees_family(DataCategory.CONVERSATION_NOTES)

    def sees_referral(self, referral: Referral) -> bool:
        """Shared referrals, and those addressed to the viewer's organisation (its task)."""
        own = referral.organisation == self.organisation
        return own or self.sees(referral.member_id, DataCategory.REFERRALS)

    def sees_task(self, agreement: Agreement) -> bool:
        """The plan's agreements when the plan is shared, and always the viewer's own."""
        own = agreement.organisation == self.organisation
        return own or self.sees_family(DataCategory.PLAN)

    def sees_consent(self, consent: Consent) -> bool:
        return (
            self.in_care
            or self.supervises
            or self.own_family
            or consent.organisation == self.organisation
        )

    def sees_sharing_decisions(self) -> bool:
        """Overrides and their considerations: for the care team and supervisors."""
        return self.in_care or self.supervises

    def sees_field(self, personal: PersonalField) -> bool:
        """One field of an event's data (a history), by the same rules as the case view."""
        if personal.category is None:
            return self.in_care or self.supervises
        if personal.organisation is not None and personal.organisation == self.organisation:
            return True
        if personal.member_id is None:
            return self.sees_family(personal.category)
        if personal.category is DataCategory.CONTACT_ADDRESS:
            return self.sees_address_of(personal.member_id, personal.secret)
        return self.sees(personal.member_id, personal.category)

    def categories(self) -> set[DataCategory]:
        return set().union(*self.per_member.values()) if self.per_member else set()


def viewer_for(user: User, case: CaseState, purpose: ConsentPurpose | None) -> Viewer:
    """The capacity a user reads a case in: in direct care, supervising, or another
    organisation reading for a purpose (its role's default if it names none)."""
    default = next(
        (DEFAULT_PURPOSE[r] for r in sorted(user.roles) if r in DEFAULT_PURPOSE),
        ConsentPurpose.CARE_COORDINATION,
    )
    return Viewer(
        subject=user.subject,
        organisation=user.organisation,
        provides_care=provides_care(user, case),
        supervises=user.has(Role.AUDITOR, Role.ADMIN),
        purpose=purpose or default,
        family_member=is_family_member(user, case),
    )


def visibility(viewer: Viewer, case: CaseState, today: date) -> Visibility:
    """Those providing the care see what they need; supervisors see all but secret
    addresses; other organisations see only what the family shared with them, for the
    purpose they read for, while the consent is in force and valid for each member's age;
    refusals win over consent; a justified disclosure opens exactly what it names; a
    family member signed in sees their own family's names, plan and consents."""
    members = list(case.members)
    if viewer.provides_care or viewer.supervises:
        return Visibility(
            {m: set(ALL_CATEGORIES) for m in members},
            secret_addresses_visible=viewer.provides_care,
            grounds={DIRECT_CARE if viewer.provides_care else SUPERVISION},
            organisation=viewer.organisation,
            in_care=viewer.provides_care,
            supervises=viewer.supervises,
        )
    if viewer.family_member:
        return _own_family(viewer, members)
    shown = Visibility({m: set() for m in members}, organisation=viewer.organisation)
    _apply_consents(shown, viewer, case, today)
    _apply_refusals(shown, viewer, case)
    _apply_disclosures(shown, viewer, case)
    _own_tasks(shown, case)
    _explain_withheld(shown, viewer, members)
    return shown


def _own_family(viewer: Viewer, members: list[str]) -> Visibility:
    """What a family member sees of their own file (`FAMILY_SEES`), and why not the rest."""
    reason = "in the family's own view; the coach can show it"
    return Visibility(
        {m: set(FAMILY_SEES) for m in members},
        grounds={OWN_FILE},
        organisation=viewer.organisation,
        own_family=True,
        withheld=[Withheld(c, reason) for c in sorted(ALL_CATEGORIES - FAMILY_SEES)],
    )


def _apply_consents(shown: Visibility, viewer: Viewer, case: CaseState, today: date) -> None:
    family = list(case.members.values())
    for consent in _consents_for(viewer, case.consents.values()):
        for member_id in consent.about:
            try:
                check_may_consent_about(
                    case.members[member_id],
                    set(consent.given_by),
                    family,
                    today,
                    consent.both_parents_required,
                )
            except ConsentGiverError:  # its message would tell the member's age
                reason = (
                    f"consent {consent.consent_id} does not cover {member_id}: it was not "
                    "given by the people who consent for this member now"
                )
                shown.withheld.extend(
                    Withheld(c, reason, member_id) for c in sorted(consent.categories)
                )
                continue
            shown.per_member[member_id] |= consent.categories
            shown.grounds.add(f"consent {consent.consent_id} ({consent.purpose.value})")


def _consents_for(viewer: Viewer, consents: Iterable[Consent]) -> list[Consent]:
    return [
        c
        for c in consents
        if c.in_force and c.organisation == viewer.organisation and c.purpose is viewer.purpose
    ]


def _apply_refusals(shown: Visibility, viewer: Viewer, case: CaseState) -> None:
    for refusal in case.refusals.values():
        if refusal.recipient in (viewer.organisation, viewer.subject):
            for categories in shown.per_member.values():
                categories -= refusal.categories
            shown.withheld.extend(
                Withheld(c, f"the family refused sharing {c.value} with {refusal.recipient}")
                for c in sorted(refusal.categories)
            )


def _apply_disclosures(shown: Visibility, viewer: Viewer, case: CaseState) -> None:
    """A disclosure without consent (e.g. meldrecht) opens exactly what it names."""
    for decision in case.sharing_decisions:
        if decision.shared and decision.organisation == viewer.organisation:
            for member_id in decision.members:
                shown.per_member[member_id] |= decision.categories & MEMBER_CATEGORIES
            shown.family_opened |= decision.categories & FAMILY_CATEGORIES
            ground = decision.legal_ground or LegalGround.LEGAL_OBLIGATION
            shown.grounds.add(f"disclosure without consent ({ground.value})")


def _own_tasks(shown: Visibility, case: CaseState) -> None:
    """An organisation sees its own tasks whatever the consent: it provides that care."""
    agreements = case.plan.agreements if case.plan else ()
    own_agreement = any(a.organisation == shown.organisation for a in agreements)
    own_referral = any(r.organisation == shown.organisation for r in case.referrals.values())
    if own_agreement or own_referral:
        shown.grounds.add(f"{DIRECT_CARE}: tasks of {shown.organisation}")


OWN_TASKS_SHOWN = {
    DataCategory.REFERRALS: "only the referrals addressed to {organisation} are shown",
    DataCategory.PLAN: "only the plan's agreements with {organisation} are shown",
}


def _explain_withheld(shown: Visibility, viewer: Viewer, members: list[str]) -> None:
    explained = {(w.category, w.member_id) for w in shown.withheld}
    for category in sorted(ALL_CATEGORIES):
        if category in shown.family_opened:
            continue
        missing = [m for m in members if category not in shown.per_member[m]]
        if missing and (category, None) not in explained:
            whom = "" if len(missing) == len(members) else f" about {', '.join(missing)}"
            own = OWN_TASKS_SHOWN.get(category, "").format(organisation=viewer.organisation)
            shown.withheld.append(
                Withheld(
                    category,
                    f"no consent for category {category.value}{whom} for organisation "
                    f"{viewer.organisation} ({viewer.purpose.value})" + (f"; {own}" if own else ""),
                )
            )
