"""Events of monitoring and ending: safety, escalation, closing and reopening."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.case_event import CaseEvent
from domain.records import Escalation, SafetyAssessment
from domain.vocabulary import (
    ClosureReason,
    EscalationTarget,
    RelapseRisk,
    SafetyMethod,
    SafetyVerdict,
)

if TYPE_CHECKING:
    from domain.case import Case


class SafetyAssessed(CaseEvent):
    TOPIC = "gezinsregie.case.safety-assessed.v1"

    method: str
    verdict: str
    notes: str

    def evolve(self, case: Case) -> None:
        assessment = SafetyAssessment(
            SafetyMethod(self.method), SafetyVerdict(self.verdict), self.occurred_at, self.notes
        )
        case.safety_assessments = (*case.safety_assessments, assessment)


class Escalated(CaseEvent):
    """Opschalen: to the coordination point, the steering group or Veilig Thuis."""

    TOPIC = "gezinsregie.case.escalated.v1"

    target: str
    reason: str

    def evolve(self, case: Case) -> None:
        escalation = Escalation(EscalationTarget(self.target), self.reason, self.occurred_at)
        case.escalations = (*case.escalations, escalation)


class CaseClosed(CaseEvent):
    """Afsluiten, with relapse risk, who keeps an eye (nazorg) and who was told (002)."""

    TOPIC = "gezinsregie.case.closed.v1"

    reason: str
    relapse_risk: str
    aftercare_by: str
    informed_organisations: list[str]
    coach: str | None

    def evolve(self, case: Case) -> None:
        case.closed_at = self.occurred_at
        case.closure_reason = ClosureReason(self.reason)
        case.relapse_risk = RelapseRisk(self.relapse_risk)
        case.aftercare_by = self.aftercare_by
        case.closed_by_coach = self.coach
        case.coaching_active = False


class CaseReopened(CaseEvent):
    """Reopened by the same coach for the same help question within the window."""

    TOPIC = "gezinsregie.case.reopened.v1"

    coach: str
    help_question_id: str

    def evolve(self, case: Case) -> None:
        case.closed_at = None
        case.closure_reason = None
        case.help_question_open = True
        case.coaching_active = True
        case.reopen_count += 1
