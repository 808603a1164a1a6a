"""The case application: one method per case command, each get -> call -> save -> position."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from application.case_application import CaseApplicationBase, CaseGuard
from domain.provenance import Actor

CommandMethod = Callable[..., int]


def command(
    name: str, doc: str, *, commutative: bool = False, periods: bool = False
) -> CommandMethod:
    """An application method for the case command `name`: get the case, check `guard`,
    call the command with `details` (and the municipality's 90-day periods where the
    command needs them), save, answer the position."""

    def method(
        self: CaseApplicationBase,
        case_id: UUID,
        actor: Actor,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
        **details: Any,
    ) -> int:
        def run(case: Any, by: Any) -> None:
            extra = {"periods": self.periods_for(case)} if periods else {}
            getattr(case, name)(by, **extra, **details)

        return self.change(case_id, actor, occurred_at, run, guard=guard, commutative=commutative)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


class CaseApplication(CaseApplicationBase):
    """The commands of the case aggregate, by name: `app.triage(case_id, actor, occurred_at,
    outcome=..., coordination_level=...)`; `guard` is checked against the freshly read case
    first (e.g. who may do this). Commands that only add a fact are commutative: retried
    on a concurrent change."""

    name = "Cases"

    triage = command("triage", "Beoordeling: outcome and coordination level.")
    hold_conversation = command(
        "hold_conversation", "A conversation with exact minutes.", commutative=True
    )
    register_time = command(
        "register_time",
        "Minutes registered afterwards without conversation records.",
        commutative=True,
    )
    answer_help_question = command(
        "answer_help_question", "The help question needs no further help."
    )
    place_on_waitlist = command(
        "place_on_waitlist", "Place the family on the waitlist (needs their consent)."
    )
    contact_waiting_family = command(
        "contact_waiting_family", "Contact with a waiting family.", commutative=True
    )
    leave_waitlist = command("leave_waitlist", "The family leaves the waitlist without a coach.")
    assign_coach = command("assign_coach", "Assign the one regisseur.")
    change_coach = command("change_coach", "Hand the regisseur role to another coach.")
    end_coaching = command("end_coaching", "Coaching ends.")
    hold_round_table = command("hold_round_table", "A rondetafelgesprek.", commutative=True)
    adopt_plan = command("adopt_plan", "Adopt the gezinsplan.")
    revise_plan = command("revise_plan", "Revise the gezinsplan (a new version).")
    evaluate_plan = command("evaluate_plan", "Evaluate the gezinsplan.")
    record_broken_agreement = command(
        "record_broken_agreement", "An agreement was not kept.", commutative=True
    )
    request_referral = command("request_referral", "Refer a family member.")
    accept_referral = command("accept_referral", "The destination accepts the referral.")
    reject_referral = command(
        "reject_referral", "The destination rejects the referral, with a reason."
    )
    start_care = command("start_care", "Care under a referral started.")
    end_care = command("end_care", "Care under a referral ended, with a reason.")
    extend_referral = command("extend_referral", "Care under a referral is extended.")
    grant_consent = command("grant_consent", "Record the family's consent.", commutative=True)
    withdraw_consent = command("withdraw_consent", "Withdraw a consent; effective at once.")
    record_refusal = command(
        "record_refusal", "Record the family's refusal to share with someone.", commutative=True
    )
    decide_sharing = command(
        "decide_sharing", "A decision to share without consent, or not to share.", commutative=True
    )
    assess_safety = command("assess_safety", "A safety assessment.", commutative=True)
    escalate = command("escalate", "Escalate (opschalen).", commutative=True)
    make_regisseur_known = command(
        "make_regisseur_known",
        "Tell the involved organisations who the regisseur is.",
        commutative=True,
    )
    report_separate_plan = command(
        "report_separate_plan", "An organisation works with a plan of its own.", commutative=True
    )
    close_case = command(
        "close", "Close the dossier, under the periods of the case's municipality.", periods=True
    )
    reopen_case = command(
        "reopen",
        "Reopen the dossier: same coach, same help question, within the window.",
        periods=True,
    )
    request_erasure = command(
        "request_erasure", "A parent with gezag or a young person 12+ asks for destruction."
    )
    assess_erasure = command(
        "assess_erasure", "Grant an erasure request, or refuse it on a legal ground."
    )
    execute_erasure = command(
        "execute_erasure", "Carry out a granted erasure: its keys are destroyed."
    )
    destroy_after_retention = command(
        "destroy_after_retention",
        "Destroy the dossier's personal data once its retention period has ended.",
        periods=True,
    )
    place_legal_hold = command("place_legal_hold", "Stop every destruction of the case.")
    lift_legal_hold = command("lift_legal_hold", "Lift the legal hold.")
