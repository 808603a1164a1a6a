"""What leaves the system about a case, decided in one place for every viewer.

Those providing the care (coordinators of the team, the coach) and auditors see the
case; a partner professional sees only the referrals addressed to their organisation
until consent-based filtering decides more (the privacy issue extends exactly this)."""

from __future__ import annotations

from domain.authorization import Role, User, is_coordinating, is_the_coach
from domain.case import Case
from domain.vocabulary import DataCategory
from interfaces.http.schemas.cases import (
    CaseOut,
    ConsentOut,
    MemberOut,
    PlanOut,
    ReferralOut,
    WithheldOut,
)

PARTNER_WITHHELD = (
    DataCategory.IDENTITY,
    DataCategory.HELP_QUESTION,
    DataCategory.PLAN,
    DataCategory.CONVERSATION_NOTES,
)


def sees_everything(user: User, case: Case) -> bool:
    return (
        user.has(Role.ADMIN, Role.AUDITOR, Role.TEAM_MANAGER)
        or is_coordinating(user, case)
        or is_the_coach(user, case)
    )


def case_view(user: User, case: Case) -> CaseOut:
    view = structure_of(case)
    if sees_everything(user, case):
        view.members = [member_out(m.as_dict()) for m in case.members.values()]
        view.help_question = case.help_question
        view.plan = plan_out(case)
        view.referrals = [referral_out(case, r) for r in case.referrals]
        view.consents = [consent_out(case, c) for c in case.consents]
        return view
    view.members = [
        MemberOut(member_id=m.member_id, role=m.role.value, parental_authority=m.parental_authority)
        for m in case.members.values()
    ]
    view.referrals = [
        referral_out(case, r)
        for r, referral in case.referrals.items()
        if referral.organisation == user.organisation
    ]
    view.withheld = [
        WithheldOut(category=c.value, reason=f"not shared with organisation {user.organisation}")
        for c in PARTNER_WITHHELD
    ]
    return view


def structure_of(case: Case) -> CaseOut:
    """What is not personal: dates, categories, statuses, counts."""
    status = "closed" if case.is_closed else "waiting" if case.is_waiting else "open"
    waiting = case.waitlist if case.is_waiting else None
    return CaseOut(
        case_id=case.id,
        version=case.version,
        municipality=case.municipality,
        team=case.team,
        status=status,
        opened_at=case.opened_at,
        last_activity_at=case.last_activity_at,
        channel=case.channel.value,
        urgency=case.urgency.value,
        triage_outcome=case.triage_outcome.value if case.triage_outcome else None,
        coordination_level=case.coordination_level,
        coach=case.coach if case.coaching_active else None,
        coach_changes=case.coach_changes,
        help_question_id=case.help_question_id,
        help_question_open=case.help_question_open,
        problems_parents=[p.value for p in case.problems_parents],
        problems_children=[p.value for p in case.problems_children],
        conversations=len(case.conversations),
        minutes_total=case.total_minutes,
        waitlist_priority=waiting.priority if waiting else None,
        waiting_since=waiting.placed_at if waiting else None,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason.value if case.closure_reason else None,
        previous_case_id=case.previous_case_id,
    )


def member_out(data: dict[str, object]) -> MemberOut:
    return MemberOut.model_validate(data)


def plan_out(case: Case) -> PlanOut | None:
    plan = case.plan
    if plan is None:
        return None
    return PlanOut(
        version=plan.version,
        goals=[vars(g) for g in plan.goals],
        agreements=[
            {**vars(a), "due": a.due.isoformat() if a.due else None} for a in plan.agreements
        ],
        next_evaluation=plan.next_evaluation,
        adopted_at=plan.adopted_at,
        evaluations=plan.evaluations,
    )


def referral_out(case: Case, referral_id: str) -> ReferralOut:
    r = case.referrals[referral_id]
    return ReferralOut(
        referral_id=r.referral_id,
        member_id=r.member_id,
        destination=r.destination.value,
        organisation=r.organisation,
        status=r.status.value,
        requested_at=r.requested_at,
        started_at=r.started_at,
        reason=r.reason,
        extended_until=r.extended_until,
    )


def consent_out(case: Case, consent_id: str) -> ConsentOut:
    c = case.consents[consent_id]
    return ConsentOut(
        consent_id=c.consent_id,
        given_by=list(c.given_by),
        about=list(c.about),
        organisation=c.organisation,
        categories=sorted(c.categories),
        purpose=c.purpose.value,
        form=c.form.value,
        granted_at=c.granted_at,
        withdrawn_at=c.withdrawn_at,
    )
