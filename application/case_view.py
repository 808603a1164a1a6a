"""A case as a viewer may see it: the domain's privacy policy (`domain.privacy`, where
every decision of what may leave is made) applied to the case's data, and a note of what
personal data went out (for the access log). Hidden data is absent; `withheld` says what
and why. Nothing here decides what is visible: it asks the `Visibility`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from application.case_view_models import (
    AgreementOut,
    CaseOut,
    ConsentOut,
    ConversationOut,
    EscalationOut,
    GoalOut,
    MemberOut,
    PlanOut,
    ReferralOut,
    RoundTableOut,
    SafetyOut,
    SharingDecisionOut,
    WithheldOut,
)
from domain.case import Case
from domain.consent import Consent
from domain.personal_data import ERASED
from domain.privacy import Viewer, Visibility, visibility
from domain.records import Conversation, RoundTable
from domain.vocabulary import DataCategory

C = DataCategory


@dataclass
class Delivered:
    """The personal data a response carries: which categories of which members."""

    categories: set[DataCategory] = field(default_factory=set)
    members: set[str] = field(default_factory=set)

    def add(self, category: DataCategory, *members: str) -> None:
        self.categories.add(category)
        self.members.update(members)


def case_view(viewer: Viewer, case: Case, today: date) -> tuple[CaseOut, Delivered, Visibility]:
    shown = visibility(viewer, case, today)
    out, delivered = structure_of(case), Delivered()
    everyone = list(case.members)
    out.members = [member_out(case, m, shown, delivered) for m in everyone]
    if shown.sees_triage():
        out.triage_outcome = case.triage_outcome.value if case.triage_outcome else None
        out.coordination_level = case.coordination_level
    if shown.sees_family(C.HELP_QUESTION):
        out.help_question = case.help_question
        out.problems_parents = [p.value for p in case.problems_parents]
        out.problems_children = [p.value for p in case.problems_children]
        delivered.add(C.HELP_QUESTION, *everyone)
    notes = shown.sees_who_took_part()
    out.conversation_log = [conversation_out(c, notes) for c in case.conversations]
    out.round_tables = [round_table_out(r, notes) for r in case.round_tables]
    if notes and (case.conversations or case.round_tables):
        delivered.add(C.CONVERSATION_NOTES, *everyone)
    out.plan = plan_out(case, shown, delivered)
    out.referrals = referrals_out(case, shown, delivered)
    out.consents = [consent_out(c) for c in case.consents.values() if shown.sees_consent(c)]
    _safety(out, case, shown, delivered)
    out.legal_grounds = sorted(shown.grounds)
    out.withheld = [
        WithheldOut(
            category=w.category.value,
            reason=w.reason,
            **({"member_id": w.member_id} if w.member_id else {}),
        )
        for w in shown.withheld
    ]
    out.erased = case.is_erased
    out.legal_hold = case.legal_hold is not None
    return out, delivered, shown


def member_out(case: Case, member_id: str, shown: Visibility, delivered: Delivered) -> MemberOut:
    member = case.members[member_id]
    out = MemberOut(
        member_id=member_id, role=member.role.value, parental_authority=member.parental_authority
    )
    erased = case.is_erased or member_id in case.erased_members
    if shown.sees(member_id, C.IDENTITY):
        out.name = member.name
        out.birth_date = member.birth_date if member.birth_date else ERASED
        if not erased:
            delivered.add(C.IDENTITY, member_id)
    if member.address and shown.sees_address_of(member_id, member.address_secret):
        out.address = member.address
        if not erased:
            delivered.add(C.CONTACT_ADDRESS, member_id)
    return out


def conversation_out(c: Conversation, notes: bool) -> ConversationOut:
    """When, what kind and how long are structure; who took part and the notes are not."""
    out = ConversationOut(
        conversation_id=c.conversation_id,
        kind=c.kind.value,
        occurred_at=c.occurred_at,
        minutes=c.minutes,
        writing_minutes=c.writing_minutes,
    )
    if notes:
        out.participants, out.notes = list(c.participants), c.notes
    return out


def round_table_out(r: RoundTable, notes: bool) -> RoundTableOut:
    out = RoundTableOut(occurred_at=r.occurred_at)
    if notes:
        out.members, out.organisations = list(r.members), list(r.organisations)
        out.decisions = r.decisions
    return out


def plan_out(case: Case, shown: Visibility, delivered: Delivered) -> PlanOut | None:
    plan = case.plan
    if plan is None:
        return None
    out = PlanOut(
        version=plan.version,
        adopted_at=plan.adopted_at,
        next_evaluation=plan.next_evaluation,
        evaluations=plan.evaluations,
    )
    goals = [g for g in plan.goals if shown.sees(g.member_id, C.PLAN)]
    if goals:
        out.goals = [GoalOut(**vars(g)) for g in goals]
        delivered.add(C.PLAN, *{g.member_id for g in goals})
    if shown.sees_family(C.PLAN):
        out.goals = [GoalOut(**vars(g)) for g in plan.goals]
        delivered.add(C.PLAN, *case.members)
    tasks = [a for a in plan.agreements if shown.sees_task(a)]
    if tasks:
        out.agreements = [AgreementOut(**vars(a)) for a in tasks]
        delivered.add(C.PLAN, *case.members)
    return out


def referrals_out(case: Case, shown: Visibility, delivered: Delivered) -> list[ReferralOut]:
    """Referrals of members shared with the viewer, and those addressed to its own
    organisation (it provides that care, Jeugdwet art. 7.3.11)."""
    visible = [r for r in case.referrals.values() if shown.sees_referral(r)]
    if visible:
        delivered.add(C.REFERRALS, *{r.member_id for r in visible})
    return [
        ReferralOut(
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
        for r in visible
    ]


def consent_out(c: Consent) -> ConsentOut:
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


def _safety(out: CaseOut, case: Case, shown: Visibility, delivered: Delivered) -> None:
    safety = shown.sees_family(C.SAFETY)
    out.escalations = [
        EscalationOut(
            target=e.target.value,
            occurred_at=e.occurred_at,
            **({"reason": e.reason} if safety else {}),
        )
        for e in case.escalations
    ]
    if safety:
        out.safety_assessments = [
            SafetyOut(
                method=s.method.value,
                verdict=s.verdict.value,
                occurred_at=s.occurred_at,
                notes=s.notes,
            )
            for s in case.safety_assessments
        ]
        if case.safety_assessments or case.escalations:
            delivered.add(C.SAFETY, *case.members)
    if shown.sees_sharing_decisions():
        out.sharing_decisions = [
            SharingDecisionOut(
                shared=d.shared,
                organisation=d.organisation,
                members=list(d.members),
                categories=sorted(d.categories),
                legal_ground=d.legal_ground.value if d.legal_ground else None,
                justification=d.justification,
                occurred_at=d.occurred_at,
            )
            for d in case.sharing_decisions
        ]
        if case.sharing_decisions:
            delivered.add(C.SAFETY, *{m for d in case.sharing_decisions for m in d.members})


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
        coach=case.coach if case.coaching_active else None,
        coach_changes=case.coach_changes,
        help_question_id=case.help_question_id,
        help_question_open=case.help_question_open,
        conversations=len(case.conversations),
        minutes_total=case.total_minutes,
        waitlist_priority=waiting.priority if waiting else None,
        waiting_since=waiting.placed_at if waiting else None,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason.value if case.closure_reason else None,
        previous_case_id=case.previous_case_id,
        members=[],
        conversation_log=[],
        round_tables=[],
        plan=None,
        escalations=[],
    )
