"""Case commands by the names tests and property-based sequences use for them (the case
application's former method names): for tests that draw or list commands by name."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.cases import CaseApplication
from domain import commands
from domain.commands import CaseCommand
from domain.provenance import Actor

BY_NAME: dict[str, type[CaseCommand]] = {
    "triage": commands.Triage,
    "hold_conversation": commands.HoldConversation,
    "register_time": commands.RegisterTime,
    "answer_help_question": commands.AnswerHelpQuestion,
    "place_on_waitlist": commands.PlaceOnWaitlist,
    "contact_waiting_family": commands.ContactWaitingFamily,
    "leave_waitlist": commands.LeaveWaitlist,
    "assign_coach": commands.AssignCoach,
    "change_coach": commands.ChangeCoach,
    "end_coaching": commands.EndCoaching,
    "hold_round_table": commands.HoldRoundTable,
    "adopt_plan": commands.AdoptPlan,
    "revise_plan": commands.RevisePlan,
    "evaluate_plan": commands.EvaluatePlan,
    "record_broken_agreement": commands.RecordBrokenAgreement,
    "request_referral": commands.RequestReferral,
    "accept_referral": commands.AcceptReferral,
    "reject_referral": commands.RejectReferral,
    "start_care": commands.StartCare,
    "end_care": commands.EndCare,
    "extend_referral": commands.ExtendReferral,
    "grant_consent": commands.GrantConsent,
    "withdraw_consent": commands.WithdrawConsent,
    "record_refusal": commands.RecordRefusal,
    "decide_sharing": commands.DecideSharing,
    "assess_safety": commands.AssessSafety,
    "escalate": commands.Escalate,
    "make_regisseur_known": commands.MakeRegisseurKnown,
    "report_separate_plan": commands.ReportSeparatePlan,
    "close_case": commands.CloseCase,
    "reopen_case": commands.ReopenCase,
    "request_erasure": commands.RequestErasure,
    "assess_erasure": commands.AssessErasure,
    "execute_erasure": commands.ExecuteErasure,
    "destroy_after_retention": commands.DestroyAfterRetention,
    "place_legal_hold": commands.PlaceLegalHold,
    "lift_legal_hold": commands.LiftLegalHold,
}


def run_named(
    app: CaseApplication,
    name: str,
    case_id: UUID,
    actor: Actor,
    occurred_at: datetime | None = None,
    **details: Any,
) -> int:
    """`app.execute` with the command called `name`, built from `details`."""
    return app.execute(case_id, actor, BY_NAME[name](**details), occurred_at)
