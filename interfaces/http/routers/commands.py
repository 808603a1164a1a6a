"""One POST per case command. Each turns its body into the domain's command, checks on
the freshly read case that the user may do it, and has the application execute it; the
answer is the position of its last event and the ids of what it made.

(No `from __future__ import annotations` here: FastAPI reads the body model from the
annotations of the endpoints made below.)"""

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any, get_type_hints
from uuid import UUID

from fastapi import APIRouter, Request, Response

from application.cases import CaseApplication
from domain.authorization import Duty, User, may_perform, may_read
from domain.case import Case
from domain.commands import AssessErasure, CaseCommand, ExecuteErasure, WithdrawConsent
from domain.errors import InvalidInputError, NotInCaseError
from interfaces.http import command_docs
from interfaces.http.actors import actor_of
from interfaces.http.deps import UserDep, check_may_perform
from interfaces.http.problems import ProblemError
from interfaces.http.rendered import rendered
from interfaces.http.schemas import commands as body
from interfaces.http.schemas import erasure as erasure_body
from interfaces.http.schemas.common import (
    PROBLEM_RESPONSES,
    CaseCommandBody,
    CommandBody,
    PositionOut,
)
from interfaces.http.worker_threads import in_worker_thread

router = APIRouter(
    prefix="/v1/cases/{case_id}", tags=["case commands"], responses=PROBLEM_RESPONSES
)


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


def command_of(model: type[CommandBody]) -> type[CaseCommand]:
    """The domain command a body turns into (the return type of its `to_command`)."""
    command: type[CaseCommand] = get_type_hints(model.to_command)["return"]  # type: ignore[attr-defined]
    return command


def route_name(path: str) -> str:
    """A readable, unique operation name from the path: /plan/revisions -> plan_revisions."""
    return path.strip("/").replace("/", "_").replace("-", "_")


def guard_for(user: User, duty: Duty, referral_id: str | None = None) -> Callable[[Case], None]:
    """Unreadable cases do not exist for the user; readable ones may still be forbidden."""

    def guard(case: Case) -> None:
        if not (may_read(user, case) or may_perform(user, case, duty, referral_id)):
            raise ProblemError(404, "Not found", f"there is no case {case.id}")
        if referral_id is not None and referral_id not in case.referrals:
            raise NotInCaseError(f"there is no referral {referral_id} in this case")
        check_may_perform(user, case, duty, referral_id)

    return guard


async def run(
    request: Request,
    case_id: UUID,
    user: User,
    command: CaseCommand,
    occurred_at: datetime | None,
    guard: Callable[[Case], None],
    answer: type[PositionOut],
) -> Response:
    """The command, in a worker thread (it reads and saves the case); the answer is its
    position and the ids of what it made."""
    cases: CaseApplication = request.app.state.cases
    actor = actor_of(user)
    position = await in_worker_thread(
        request, cases.execute, case_id, actor, command, occurred_at, guard
    )
    return rendered(answer(position=position, **command.made_ids()))


def case_command(path: str, model: type[CaseCommandBody], duty: Duty, summary: str) -> None:
    async def endpoint(case_id: UUID, request: Request, user: UserDep, command: Any) -> Response:
        body: CaseCommandBody = command or model.model_validate({})
        guard = guard_for(user, duty)
        try:
            return await run(
                request, case_id, user, body.to_command(user), body.occurred_at, guard, model.answer
            )
        except InvalidInputError as error:
            raise model.in_body_terms(error) from None

    with_body(endpoint, model)
    endpoint.__name__ = route_name(path)
    command = command_of(model)
    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        response_model=model.answer,
        summary=summary,
        description=command_docs.description(summary, command, duty),
        responses=command_docs.responses(command),
        name=endpoint.__name__,
    )


def referral_command(path: str, model: type[body.ReferralStepBody], summary: str) -> None:
    async def endpoint(
        case_id: UUID, referral_id: str, request: Request, user: UserDep, command: Any
    ) -> Response:
        step: body.ReferralStepBody = command or model.model_validate({})
        guard = guard_for(user, Duty.REFERRAL_RESPONSE, referral_id)
        return await run(
            request,
            case_id,
            user,
            step.to_command(referral_id),
            step.occurred_at,
            guard,
            PositionOut,
        )

    with_body(endpoint, model)
    endpoint.__name__ = route_name(f"/referral/{path}")
    command = command_of(model)
    router.add_api_route(
        f"/referrals/{{referral_id}}/{path}",
        endpoint,
        methods=["POST"],
        response_model=PositionOut,
        summary=summary,
        description=command_docs.description(summary, command, Duty.REFERRAL_RESPONSE),
        responses=command_docs.responses(command),
        name=endpoint.__name__,
    )


@router.post(
    "/consents/{consent_id}/withdraw",
    response_model=PositionOut,
    description=command_docs.description(
        "Withdraw a consent: it ends at once, in every view", WithdrawConsent, Duty.CARE
    ),
    responses=command_docs.responses(WithdrawConsent),
)
async def withdraw_consent(
    case_id: UUID, consent_id: str, command: body.WithdrawalIn, request: Request, user: UserDep
) -> Response:
    """Withdraw a consent: it ends at once, in every view."""
    guard = guard_for(user, Duty.CARE)
    withdrawal = command.to_command(consent_id)
    return await run(request, case_id, user, withdrawal, command.occurred_at, guard, PositionOut)


INTAKE, CARE = Duty.INTAKE, Duty.CARE
case_command("/triage", body.TriageIn, INTAKE, "Record the triage outcome")
case_command(
    "/conversations",
    body.ConversationIn,
    CARE,
    "Record a conversation with exact minutes",
)
case_command(
    "/time-registrations",
    body.TimeIn,
    CARE,
    "Register minutes afterwards, without a conversation record",
)
case_command(
    "/help-question/answer",
    body.HelpQuestionAnsweredIn,
    CARE,
    "The help question needs no further help",
)
case_command(
    "/waitlist",
    body.WaitlistPlaceIn,
    INTAKE,
    "Place the family on the waitlist (needs their consent)",
)
case_command(
    "/waitlist/contacts",
    body.WaitlistContactIn,
    INTAKE,
    "Record contact with the waiting family",
)
case_command(
    "/waitlist/leave",
    body.WaitlistLeaveIn,
    INTAKE,
    "The family leaves the waitlist without a coach",
)
case_command("/coach", body.CoachIn, INTAKE, "Assign the one regisseur")
case_command("/coach/change", body.CoachChangeIn, INTAKE, "Change the regisseur")
case_command("/coach/end", body.CoachingEndIn, CARE, "End the coaching")
case_command(
    "/regisseur/announcements",
    body.RegisseurKnownIn,
    CARE,
    "Record that organisations were told who the regisseur is",
)
case_command(
    "/separate-plans",
    body.SeparatePlanIn,
    CARE,
    "An organisation works with a plan of its own beside the gezinsplan",
)
case_command("/round-tables", body.RoundTableIn, CARE, "Record a rondetafelgesprek")
case_command("/plan", body.PlanIn, CARE, "Adopt the gezinsplan")
case_command("/plan/revisions", body.PlanRevisionIn, CARE, "Revise the gezinsplan")
case_command("/plan/evaluations", body.EvaluationIn, CARE, "Evaluate the plan")
case_command(
    "/plan/broken-agreements",
    body.BrokenAgreementIn,
    CARE,
    "An agreement of the plan was not kept",
)
case_command("/referrals", body.ReferralIn, CARE, "Refer a family member")
referral_command("accept", body.AcceptanceIn, "The provider accepts")
referral_command("reject", body.RejectionIn, "The provider rejects, with reason")
referral_command("start", body.CareStartIn, "Care started")
referral_command("end", body.CareEndIn, "Care ended, with reason")
referral_command("extend", body.ExtensionIn, "Care extended")
case_command("/consents", body.ConsentIn, CARE, "Record the family's consent")
case_command(
    "/refusals",
    body.RefusalIn,
    CARE,
    "Record the family's refusal to share with someone",
)
case_command(
    "/disclosures",
    body.DisclosureIn,
    CARE,
    "Share without consent, with legal ground and justification",
)
case_command(
    "/non-disclosures",
    body.NonDisclosureIn,
    CARE,
    "Decide not to share, with the considerations",
)
case_command("/safety-assessments", body.SafetyIn, CARE, "Record a safety assessment")
case_command("/escalations", body.EscalationIn, CARE, "Escalate (opschalen)")
case_command("/close", body.CloseIn, CARE, "Close the dossier")
case_command(
    "/reopen",
    body.ReopenIn,
    CARE,
    "Reopen the dossier (same coach, same help question, within the window)",
)


case_command(
    "/erasure-requests",
    erasure_body.ErasureRequestIn,
    Duty.ERASURE_REQUEST,
    "Record a family's request to destroy personal data (due within 3 months)",
)
case_command(
    "/legal-hold",
    erasure_body.LegalHoldIn,
    Duty.ERASURE,
    "Place a legal hold: nothing of the case is destroyed until it is lifted",
)
case_command(
    "/legal-hold/lift",
    erasure_body.LegalHoldLiftIn,
    Duty.ERASURE,
    "Lift the legal hold",
)


@router.post(
    "/erasure-requests/{request_id}/assessment",
    response_model=PositionOut,
    description=command_docs.description(
        "Grant an erasure request, or refuse it on a legal ground", AssessErasure, Duty.ERASURE
    ),
    responses=command_docs.responses(AssessErasure),
)
async def assess_erasure(
    case_id: UUID,
    request_id: str,
    command: erasure_body.ErasureAssessmentIn,
    request: Request,
    user: UserDep,
) -> Response:
    """Grant an erasure request, or refuse it on a legal ground (privacy officer)."""
    guard = guard_for(user, Duty.ERASURE)
    assessment = command.to_command(request_id)
    return await run(request, case_id, user, assessment, command.occurred_at, guard, PositionOut)


@router.post(
    "/erasure-requests/{request_id}/execution",
    response_model=PositionOut,
    description=command_docs.description(
        "Carry out a granted request: its keys are destroyed, for good",
        ExecuteErasure,
        Duty.ERASURE,
    ),
    responses=command_docs.responses(ExecuteErasure),
)
async def execute_erasure(
    case_id: UUID, request_id: str, request: Request, user: UserDep
) -> Response:
    """Carry out a granted request: its keys are destroyed, for good (privacy officer)."""
    guard = guard_for(user, Duty.ERASURE)
    execution = ExecuteErasure(request_id=request_id)
    return await run(request, case_id, user, execution, None, guard, PositionOut)
