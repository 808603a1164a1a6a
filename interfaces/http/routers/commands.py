"""One POST per case command. Each checks, on the freshly read case, that the user may
do it, then runs the application's method; the answer is the position of its last event.

(No `from __future__ import annotations` here: FastAPI reads the body model from the
annotations of the endpoints made below.)"""

import inspect
from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from application.cases import CaseApplication
from domain.authorization import Duty, User, may_perform, may_read
from domain.case import Case
from domain.plan import Agreement, Goal
from interfaces.http.actors import actor_of
from interfaces.http.deps import UserDep, check_may_perform
from interfaces.http.problems import ProblemError
from interfaces.http.rendered import rendered
from interfaces.http.schemas import commands as body
from interfaces.http.schemas import erasure as erasure_body
from interfaces.http.schemas.common import PROBLEM_RESPONSES, CommandBody, PositionOut
from interfaces.http.worker_threads import in_worker_thread

router = APIRouter(
    prefix="/v1/cases/{case_id}", tags=["case commands"], responses=PROBLEM_RESPONSES
)
Details = Callable[[Any, User], dict[str, Any]]


def fields_of(command: BaseModel, _: User) -> dict[str, Any]:
    return command.model_dump(exclude={"occurred_at"})


def plan_of(command: body.PlanIn, _: User) -> dict[str, Any]:
    return {
        "goals": [Goal(**g.model_dump()) for g in command.goals],
        "agreements": [Agreement(**a.model_dump()) for a in command.agreements],
        "next_evaluation": command.next_evaluation,
    }


def disclosure_of(command: body.DisclosureIn, user: User) -> dict[str, Any]:
    return {**fields_of(command, user), "shared": True}


def non_disclosure_of(command: body.NonDisclosureIn, _: User) -> dict[str, Any]:
    return {
        "shared": False,
        "organisation": command.organisation,
        "members": command.members,
        "categories": command.categories,
        "legal_ground": None,
        "justification": command.considerations,
    }


def reopening_of(command: body.ReopenIn, user: User) -> dict[str, Any]:
    return {"coach": user.subject, "help_question_id": command.help_question_id}


def with_body(endpoint: Callable[..., Any], model: type[CommandBody]) -> None:
    """Declare the endpoint's body as `model`; optional when none of its fields is required,
    so a command like "contact made" may be sent without a body."""
    optional = not any(field.is_required() for field in model.model_fields.values())
    signature = inspect.signature(endpoint)
    body = signature.parameters["command"].replace(
        annotation=model | None if optional else model,
        default=None if optional else inspect.Parameter.empty,
    )
    parameters = [*list(signature.parameters.values())[:-1], body]
    endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]


def route_name(path: str) -> str:
    """A readable, unique operation name from the path: /plan/revisions -> plan_revisions."""
    return path.strip("/").replace("/", "_").replace("-", "_")


def guard_for(user: User, duty: Duty, referral_id: str | None = None) -> Callable[[Case], None]:
    """Unreadable cases do not exist for the user; readable ones may still be forbidden."""

    def guard(case: Case) -> None:
        if not (may_read(user, case) or may_perform(user, case, duty, referral_id)):
            raise ProblemError(404, "Not found", f"there is no case {case.id}")
        check_may_perform(user, case, duty, referral_id)

    return guard


async def run(
    request: Request,
    method: str,
    case_id: UUID,
    user: User,
    command: CommandBody,
    details: dict[str, Any],
    guard: Callable[[Case], None],
) -> Response:
    """The application's method, in a worker thread: it reads and saves the case."""
    cases: CaseApplication = request.app.state.cases
    position = await in_worker_thread(
        request,
        getattr(cases, method),
        case_id,
        actor_of(user),
        command.occurred_at,
        guard=guard,
        **details,
    )
    return rendered(PositionOut(position=position))


def case_command(
    path: str,
    method: str,
    model: type[CommandBody],
    duty: Duty,
    summary: str,
    details: Details = fields_of,
) -> None:
    async def endpoint(case_id: UUID, request: Request, user: UserDep, command: Any) -> Response:
        command = command or model.model_validate({})
        guard = guard_for(user, duty)
        return await run(request, method, case_id, user, command, details(command, user), guard)

    with_body(endpoint, model)
    endpoint.__name__ = route_name(path)
    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        response_model=PositionOut,
        summary=summary,
        name=endpoint.__name__,
    )


def referral_command(
    path: str, method: str, model: type[CommandBody], summary: str, details: Details = fields_of
) -> None:
    async def endpoint(
        case_id: UUID, referral_id: str, request: Request, user: UserDep, command: Any
    ) -> Response:
        command = command or model.model_validate({})
        guard = guard_for(user, Duty.REFERRAL_RESPONSE, referral_id)
        extra = {**details(command, user), "referral_id": referral_id}
        return await run(request, method, case_id, user, command, extra, guard)

    with_body(endpoint, model)
    endpoint.__name__ = route_name(f"/referral/{path}")
    router.add_api_route(
        f"/referrals/{{referral_id}}/{path}",
        endpoint,
        methods=["POST"],
        response_model=PositionOut,
        summary=summary,
        name=endpoint.__name__,
    )


@router.post("/consents/{consent_id}/withdraw", response_model=PositionOut)
async def withdraw_consent(
    case_id: UUID, consent_id: str, command: body.WithdrawalIn, request: Request, user: UserDep
) -> Response:
    """Withdraw a consent: it ends at once, in every view."""
    details = {**fields_of(command, user), "consent_id": consent_id}
    guard = guard_for(user, Duty.CARE)
    return await run(request, "withdraw_consent", case_id, user, command, details, guard)


INTAKE, CARE = Duty.INTAKE, Duty.CARE
case_command("/triage", "triage", body.TriageIn, INTAKE, "Record the triage outcome")
case_command(
    "/conversations",
    "hold_conversation",
    body.ConversationIn,
    CARE,
    "Record a conversation with exact minutes",
)
case_command(
    "/time-registrations",
    "register_time",
    body.TimeIn,
    CARE,
    "Register minutes afterwards, without a conversation record",
)
case_command(
    "/help-question/answer",
    "answer_help_question",
    CommandBody,
    CARE,
    "The help question needs no further help",
)
case_command(
    "/waitlist",
    "place_on_waitlist",
    body.WaitlistPlaceIn,
    INTAKE,
    "Place the family on the waitlist (needs their consent)",
)
case_command(
    "/waitlist/contacts",
    "contact_waiting_family",
    CommandBody,
    INTAKE,
    "Record contact with the waiting family",
)
case_command(
    "/waitlist/leave",
    "leave_waitlist",
    body.WaitlistLeaveIn,
    INTAKE,
    "The family leaves the waitlist without a coach",
)
case_command("/coach", "assign_coach", body.CoachIn, INTAKE, "Assign the one regisseur")
case_command("/coach/change", "change_coach", body.CoachChangeIn, INTAKE, "Change the regisseur")
case_command("/coach/end", "end_coaching", body.ReasonIn, CARE, "End the coaching")
case_command(
    "/regisseur/announcements",
    "make_regisseur_known",
    body.RegisseurKnownIn,
    CARE,
    "Record that organisations were told who the regisseur is",
)
case_command(
    "/separate-plans",
    "report_separate_plan",
    body.SeparatePlanIn,
    CARE,
    "An organisation works with a plan of its own beside the gezinsplan",
)
case_command(
    "/round-tables", "hold_round_table", body.RoundTableIn, CARE, "Record a rondetafelgesprek"
)
case_command("/plan", "adopt_plan", body.PlanIn, CARE, "Adopt the gezinsplan", plan_of)
case_command("/plan/revisions", "revise_plan", body.PlanIn, CARE, "Revise the gezinsplan", plan_of)
case_command("/plan/evaluations", "evaluate_plan", body.EvaluationIn, CARE, "Evaluate the plan")
case_command(
    "/plan/broken-agreements",
    "record_broken_agreement",
    body.BrokenAgreementIn,
    CARE,
    "An agreement of the plan was not kept",
)
case_command("/referrals", "request_referral", body.ReferralIn, CARE, "Refer a family member")
referral_command("accept", "accept_referral", CommandBody, "The provider accepts")
referral_command("reject", "reject_referral", body.ReasonIn, "The provider rejects, with reason")
referral_command("start", "start_care", CommandBody, "Care started")
referral_command("end", "end_care", body.ReasonIn, "Care ended, with reason")
referral_command("extend", "extend_referral", body.ExtensionIn, "Care extended")
case_command("/consents", "grant_consent", body.ConsentIn, CARE, "Record the family's consent")
case_command(
    "/refusals",
    "record_refusal",
    body.RefusalIn,
    CARE,
    "Record the family's refusal to share with someone",
)
case_command(
    "/disclosures",
    "decide_sharing",
    body.DisclosureIn,
    CARE,
    "Share without consent, with legal ground and justification",
    disclosure_of,
)
case_command(
    "/non-disclosures",
    "decide_sharing",
    body.NonDisclosureIn,
    CARE,
    "Decide not to share, with the considerations",
    non_disclosure_of,
)
case_command(
    "/safety-assessments", "assess_safety", body.SafetyIn, CARE, "Record a safety assessment"
)
case_command("/escalations", "escalate", body.EscalationIn, CARE, "Escalate (opschalen)")
case_command("/close", "close_case", body.CloseIn, CARE, "Close the dossier")
case_command(
    "/reopen",
    "reopen_case",
    body.ReopenIn,
    CARE,
    "Reopen the dossier (same coach, same help question, within the window)",
    reopening_of,
)


def assessment_of(command: erasure_body.ErasureAssessmentIn, _: User) -> dict[str, Any]:
    return {"refusal_ground": command.refusal_ground, "justification": command.justification or ""}


case_command(
    "/erasure-requests",
    "request_erasure",
    erasure_body.ErasureRequestIn,
    Duty.ERASURE_REQUEST,
    "Record a family's request to destroy personal data (due within 3 months)",
)
case_command(
    "/legal-hold",
    "place_legal_hold",
    erasure_body.LegalHoldIn,
    Duty.ERASURE,
    "Place a legal hold: nothing of the case is destroyed until it is lifted",
)
case_command(
    "/legal-hold/lift",
    "lift_legal_hold",
    erasure_body.LegalHoldIn,
    Duty.ERASURE,
    "Lift the legal hold",
)


@router.post("/erasure-requests/{request_id}/assessment", response_model=PositionOut)
async def assess_erasure(
    case_id: UUID,
    request_id: str,
    command: erasure_body.ErasureAssessmentIn,
    request: Request,
    user: UserDep,
) -> Response:
    """Grant an erasure request, or refuse it on a legal ground (privacy officer)."""
    details = {**assessment_of(command, user), "request_id": request_id}
    guard = guard_for(user, Duty.ERASURE)
    return await run(request, "assess_erasure", case_id, user, command, details, guard)


@router.post("/erasure-requests/{request_id}/execution", response_model=PositionOut)
async def execute_erasure(
    case_id: UUID, request_id: str, request: Request, user: UserDep
) -> Response:
    """Carry out a granted request: its keys are destroyed, for good (privacy officer)."""
    command = CommandBody(occurred_at=None)
    guard = guard_for(user, Duty.ERASURE)
    details = {"request_id": request_id}
    return await run(request, "execute_erasure", case_id, user, command, details, guard)
