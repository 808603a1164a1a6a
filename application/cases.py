"""The case application: one method per case command, each get -> call -> save -> position."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.case_application import CaseApplicationBase, CaseGuard
from domain.provenance import Actor


class CaseApplication(CaseApplicationBase):
    """The commands of the case aggregate, by name. `details` are the command's keywords;
    `guard` is checked against the freshly read case first (e.g. who may do this)."""

    name = "Cases"

    def triage(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Beoordeling: outcome and coordination level."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.triage(by, **details),
            guard=guard,
        )

    def hold_conversation(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """A conversation with exact minutes."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.hold_conversation(by, **details),
            guard=guard,
            commutative=True,
        )

    def register_time(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Minutes registered afterwards without conversation records."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.register_time(by, **details),
            guard=guard,
            commutative=True,
        )

    def answer_help_question(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """The help question needs no further help."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.answer_help_question(by, **details),
            guard=guard,
        )

    def place_on_waitlist(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Place the family on the waitlist (needs their consent)."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.place_on_waitlist(by, **details),
            guard=guard,
        )

    def contact_waiting_family(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Contact with a waiting family."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.contact_waiting_family(by, **details),
            guard=guard,
            commutative=True,
        )

    def leave_waitlist(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """The family leaves the waitlist without a coach."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.leave_waitlist(by, **details),
            guard=guard,
        )

    def assign_coach(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Assign the one regisseur."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.assign_coach(by, **details),
            guard=guard,
        )

    def change_coach(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Hand the regisseur role to another coach."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.change_coach(by, **details),
            guard=guard,
        )

    def end_coaching(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Coaching ends."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.end_coaching(by, **details),
            guard=guard,
        )

    def hold_round_table(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """A rondetafelgesprek."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.hold_round_table(by, **details),
            guard=guard,
            commutative=True,
        )

    def adopt_plan(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Adopt the gezinsplan."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.adopt_plan(by, **details),
            guard=guard,
        )

    def revise_plan(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Revise the gezinsplan (a new version)."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.revise_plan(by, **details),
            guard=guard,
        )

    def evaluate_plan(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Evaluate the gezinsplan."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.evaluate_plan(by, **details),
            guard=guard,
        )

    def record_broken_agreement(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """An agreement was not kept."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.record_broken_agreement(by, **details),
            guard=guard,
            commutative=True,
        )

    def request_referral(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Refer a family member."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.request_referral(by, **details),
            guard=guard,
        )

    def accept_referral(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """The destination accepts the referral."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.accept_referral(by, **details),
            guard=guard,
        )

    def reject_referral(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """The destination rejects the referral, with a reason."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.reject_referral(by, **details),
            guard=guard,
        )

    def start_care(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Care under a referral started."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.start_care(by, **details),
            guard=guard,
        )

    def end_care(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Care under a referral ended, with a reason."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.end_care(by, **details),
            guard=guard,
        )

    def extend_referral(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Care under a referral is extended."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.extend_referral(by, **details),
            guard=guard,
        )

    def grant_consent(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Record the family's consent."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.grant_consent(by, **details),
            guard=guard,
            commutative=True,
        )

    def withdraw_consent(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Withdraw a consent; effective at once."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.withdraw_consent(by, **details),
            guard=guard,
        )

    def record_refusal(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Record the family's refusal to share with someone."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.record_refusal(by, **details),
            guard=guard,
            commutative=True,
        )

    def decide_sharing(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """A decision to share without consent, or not to share."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.decide_sharing(by, **details),
            guard=guard,
            commutative=True,
        )

    def assess_safety(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """A safety assessment."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.assess_safety(by, **details),
            guard=guard,
            commutative=True,
        )

    def escalate(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Escalate (opschalen)."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.escalate(by, **details),
            guard=guard,
            commutative=True,
        )

    def make_regisseur_known(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Tell the involved organisations who the regisseur is."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.make_regisseur_known(by, **details),
            guard=guard,
            commutative=True,
        )

    def report_separate_plan(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """An organisation works with a plan of its own."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.report_separate_plan(by, **details),
            guard=guard,
            commutative=True,
        )

    def close_case(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Close the dossier, under the periods of the case's municipality."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.close(by, periods=self.periods_for(case), **details),
            guard=guard,
        )

    def reopen_case(
        self,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        """Reopen the dossier: same coach, same help question, within the window."""
        return self.change(
            case_id,
            actor,
            occurred_at,
            lambda case, by: case.reopen(by, periods=self.periods_for(case), **details),
            guard=guard,
        )
