"""Who may read a case and who may do what to it: one place for every role's rights."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.case_state import CaseState


class Role(StrEnum):
    COORDINATOR = "coordinator"
    COACH = "coach"
    PARTNER = "partner"
    TEAM_MANAGER = "team_manager"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"
    FAMILY = "family"


class Duty(StrEnum):
    """Groups of commands that the same people may perform."""

    INTAKE = "intake"  # register, triage, waitlist, assigning and changing coaches
    CARE = "care"  # conversations, plan, consent, referrals requested, safety, closing
    REFERRAL_RESPONSE = "referral_response"  # a provider accepts, starts, ends its referral
    ERASURE_REQUEST = "erasure_request"  # record the family's request to destroy their data
    ERASURE = "erasure"  # assess and execute erasure, place and lift a legal hold


@dataclass(frozen=True)
class User:
    """An authenticated person: their organisation, roles and, for municipal teams,
    the municipality and team they work for."""

    subject: str
    organisation: str
    roles: frozenset[Role]
    municipality: str | None = None
    team: str | None = None
    member_of: tuple[str, str] | None = None
    """For the family role: the case (its id) and the member of it this person is."""

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def covers(self, municipality: str, team: str) -> bool:
        """A coordinator or manager works for a municipality, and maybe one team in it."""
        return self.municipality == municipality and self.team in (None, team)


def may_open_case_in(user: User, municipality: str, team: str) -> bool:
    return user.has(Role.ADMIN) or (user.has(Role.COORDINATOR) and user.covers(municipality, team))


def is_coordinating(user: User, case: CaseState) -> bool:
    return user.has(Role.COORDINATOR) and user.covers(case.municipality, case.team)


def is_the_coach(user: User, case: CaseState) -> bool:
    """The regisseur in office, or the coach who closed the case (for reopening), of the
    coach's own organisation."""
    if not user.has(Role.COACH) or user.organisation != case.coach_organisation:
        return False
    in_office = case.coaching_active and user.subject == case.coach
    closed_it = case.is_closed and user.subject == case.closed_by_coach
    return in_office or closed_it


def provides_care(user: User, case: CaseState) -> bool:
    """Directly involved in the care (Jeugdwet art. 7.3.11): the coordinating team or the
    coach. The one place this is decided; privacy and the access log ask here."""
    return is_coordinating(user, case) or is_the_coach(user, case)


def is_a_referral_partner(user: User, case: CaseState) -> bool:
    """A partner with a task of its own (a referral addressed to their organisation, an
    agreement of the plan that names it), or with something the family (a consent in
    force) or a professional (a disclosure) shared with it."""
    if not user.has(Role.PARTNER):
        return False
    org = user.organisation
    agreements = case.plan.agreements if case.plan else ()
    return (
        any(r.organisation == org for r in case.referrals.values())
        or any(a.organisation == org for a in agreements)
        or any(c.organisation == org for c in case.consents_in_force())
        or any(d.shared and d.organisation == org for d in case.sharing_decisions)
    )


def is_family_member(user: User, case: CaseState) -> bool:
    """A family member reads their own family's file: signed in as a member of this case."""
    if not user.has(Role.FAMILY) or user.member_of is None:
        return False
    case_id, member_id = user.member_of
    return case_id == str(case.id) and member_id in case.members


def may_withdraw_consent(user: User, case: CaseState, consent_id: str) -> bool:
    """Those providing the care record a withdrawal; a family member withdraws, themselves,
    a consent they gave or that is about them."""
    if user.has(Role.ADMIN) or provides_care(user, case):
        return True
    consent = case.consents.get(consent_id)
    if consent is None or user.member_of is None or not is_family_member(user, case):
        return False
    return user.member_of[1] in (*consent.given_by, *consent.about)


def may_read(user: User, case: CaseState) -> bool:
    """Analysts never read cases; others read the cases they have a part in; a family
    member reads their own family's file."""
    return (
        user.has(Role.ADMIN, Role.AUDITOR)
        or provides_care(user, case)
        or is_a_referral_partner(user, case)
        or is_family_member(user, case)
        or (user.has(Role.TEAM_MANAGER) and user.covers(case.municipality, case.team))
    )


def may_perform(user: User, case: CaseState, duty: Duty, referral_id: str | None = None) -> bool:
    """Auditors, managers and analysts only read; the rest act within their part."""
    if user.has(Role.ADMIN):
        return True
    if duty is Duty.INTAKE:
        return is_coordinating(user, case)
    if duty is Duty.CARE:
        return provides_care(user, case)
    if duty is Duty.ERASURE_REQUEST:
        return user.has(Role.PRIVACY_OFFICER) or provides_care(user, case)
    if duty is Duty.ERASURE:
        return user.has(Role.PRIVACY_OFFICER)
    referral = case.referrals.get(referral_id or "")
    addressed_to_user = referral is not None and referral.organisation == user.organisation
    return provides_care(user, case) or (user.has(Role.PARTNER) and addressed_to_user)


WHO_MAY: dict[Duty, str] = {
    Duty.INTAKE: "coordinators of the case's municipality (and team); administrators",
    Duty.CARE: "the coach in office (the regisseur) and the case's coordinators; administrators",
    Duty.REFERRAL_RESPONSE: "the organisation the referral is addressed to (role partner), the "
    "coach in office and the case's coordinators; administrators",
    Duty.ERASURE_REQUEST: "privacy officers, the coach in office and the case's coordinators; "
    "administrators",
    Duty.ERASURE: "privacy officers; administrators",
}
"""`may_perform` in words, for the API's documentation of each operation."""


def may_see_coordination(user: User) -> bool:
    """Waitlists, the overview and caseloads: for those who coordinate and manage."""
    return user.has(Role.ADMIN, Role.AUDITOR, Role.COORDINATOR, Role.TEAM_MANAGER, Role.COACH)


@dataclass(frozen=True)
class CoordinationScope:
    """What a user's coordination views are limited to; None means no limit. A
    coordinator or manager without a municipality sees nothing (municipality "")."""

    municipality: str | None = None
    team: str | None = None
    coach: str | None = None
    coach_organisation: str | None = None


def coordination_scope(user: User) -> CoordinationScope:
    """Coaches see their own cases; coordinators and managers their municipality (and
    team); auditors and administrators everything."""
    if user.has(Role.ADMIN, Role.AUDITOR):
        return CoordinationScope()
    if user.has(Role.COORDINATOR, Role.TEAM_MANAGER):
        return CoordinationScope(municipality=user.municipality or "", team=user.team)
    return CoordinationScope(coach=user.subject, coach_organisation=user.organisation)


def may_see_who_read_the_file(user: User, case: CaseState) -> bool:
    """ "Who looked at my file": the family member themselves, or those caring for the
    family, who show it to them."""
    return is_coordinating(user, case) or is_the_coach(user, case) or is_family_member(user, case)


def may_read_access_log(user: User) -> bool:
    """Privacy officers and auditors read who read what; so do administrators."""
    return user.has(Role.PRIVACY_OFFICER, Role.AUDITOR, Role.ADMIN)


def may_read_reports(user: User) -> bool:
    """Reports are aggregated and pseudonymised: for analysts (and administrators)."""
    return user.has(Role.ANALYST, Role.ADMIN)


def report_scope(user: User) -> CoordinationScope:
    """An analyst of a municipality (and team) reports on it; without one, on all."""
    if user.has(Role.ADMIN):
        return CoordinationScope()
    return CoordinationScope(municipality=user.municipality, team=user.team)


def may_list_cases(user: User) -> bool:
    """The list of cases (ids, place, status, coach, dates; nothing personal) is a
    coordination view: for those who see the overview, each within their scope."""
    return may_see_coordination(user)


def name_search_scope(user: User) -> CoordinationScope | None:
    """Finding a family by a member's name and birth date reads who they are, so it is
    only for those in direct care (Jeugdwet art. 7.3.11), and only among their own cases:
    a coordinator among the cases of their municipality (and team), a coach among the
    cases they coach. None: the user may not search by name (managers, auditors,
    analysts, partners, privacy officers, administrators and families have no part in
    the care of a family they would first have to find)."""
    if user.has(Role.COORDINATOR) and user.municipality:
        return CoordinationScope(municipality=user.municipality, team=user.team)
    if user.has(Role.COACH):
        return CoordinationScope(coach=user.subject, coach_organisation=user.organisation)
    return None
