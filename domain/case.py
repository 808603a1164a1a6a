"""The family case aggregate: its state, and the command methods that check the rules
before recording a fact. Every method shape: check rules -> record events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.commands_care import CareCommands
from domain.commands_erasure import ErasureCommands
from domain.commands_intake import IntakeCommands
from domain.commands_privacy import PrivacyCommands
from domain.errors import (
    CaseErasedError,
    CaseNotClosedError,
    ConsentRequiredError,
    NotDueForClosureError,
    ReopenNotAllowedError,
)
from domain.events_intake import CaseOpened, WaitlistLeft
from domain.events_lifecycle import CaseClosed, CaseReopened
from domain.family import FamilyMember, check_is_a_family
from domain.periods import CasePeriods
from domain.provenance import Provenance
from domain.vocabulary import (
    Channel,
    ClosureReason,
    ProblemCategory,
    RelapseRisk,
    Urgency,
    WaitlistExit,
)


class Case(IntakeCommands, CareCommands, PrivacyCommands, ErasureCommands, Aggregate):
    """One family case (dossier): everything that happened to it, as events."""

    TOPIC = "gezinsregie.case.aggregate.v1"
    """Stored in every CaseOpened as the class to rebuild: stable across refactoring."""

    class Created(Aggregate.Created):
        """Unused (cases are opened by CaseOpened); the library requires a topic for it."""

        TOPIC = "gezinsregie.case.library-created.v1"

    @classmethod
    def open(
        cls,
        *,
        case_id: UUID,
        by: Provenance,
        municipality: str,
        team: str,
        channel: Channel,
        reporter_organisation: str,
        reporter_professional: str,
        members: Sequence[FamilyMember],
        help_question_id: str,
        help_question: str,
        problems_parents: Sequence[ProblemCategory] = (),
        problems_children: Sequence[ProblemCategory] = (),
        urgency: Urgency = Urgency.NORMAL,
        previous_case: Case | None = None,
        link_consented_by: Sequence[str] = (),
    ) -> Case:
        """Register a melding. A new case may be linked to a closed earlier one of the
        same family, so they need not tell their story again, if the family consents."""
        by.check_not_in_future()
        check_is_a_family(list(members), by.occurred_at.date())
        if previous_case is not None:
            previous_case.check_may_be_linked(link_consented_by, members)
        return cls._create(
            CaseOpened,
            id=case_id,
            timestamp=by.recorded_at,
            occurred_at=by.occurred_at,
            actor=by.actor.as_dict(),
            municipality=municipality,
            team=team,
            channel=Channel(channel).value,
            reporter_organisation=reporter_organisation,
            reporter_professional=reporter_professional,
            members=[m.as_dict() for m in members],
            help_question_id=help_question_id,
            help_question=help_question,
            problems_parents=[ProblemCategory(p).value for p in problems_parents],
            problems_children=[ProblemCategory(p).value for p in problems_children],
            urgency=Urgency(urgency).value,
            previous_case_id=previous_case.id if previous_case else None,
            link_consented_by=list(link_consented_by),
        )

    def check_may_be_linked(
        self, consented_by: Sequence[str], new_members: Sequence[FamilyMember]
    ) -> None:
        """Only a closed case is linked to a new one, and only with the family's consent."""
        if not self.is_closed:
            raise CaseNotClosedError("the earlier case is still open: continue it instead")
        family_ids = {m.member_id for m in new_members}
        if not consented_by or not set(consented_by) <= family_ids:
            raise ConsentRequiredError(
                "linking to the earlier case needs the consent of members of the family"
            )

    def close(
        self,
        by: Provenance,
        *,
        reason: ClosureReason,
        relapse_risk: RelapseRisk,
        aftercare_by: str,
        informed_organisations: Sequence[str],
        periods: CasePeriods,
    ) -> None:
        """Afsluiten. Closing as *inactive* needs the whole inactivity period without help."""
        self.check_may_record(by)
        if ClosureReason(reason) is ClosureReason.INACTIVE and not self.is_due_for_closure(
            periods, by.occurred_at
        ):
            raise NotDueForClosureError(
                "a case is closed as inactive only after "
                f"{periods.inactivity_days} days without active help"
            )
        if self.is_waiting:  # a closed dossier waits for nothing
            self.record(WaitlistLeft, by, exit=WaitlistExit.NO_LONGER_NEEDED.value)
        self.record(
            CaseClosed,
            by,
            reason=ClosureReason(reason).value,
            relapse_risk=RelapseRisk(relapse_risk).value,
            aftercare_by=aftercare_by,
            informed_organisations=list(informed_organisations),
            coach=self.coach,
        )

    def reopen(
        self, by: Provenance, *, coach: str, help_question_id: str, periods: CasePeriods
    ) -> None:
        """A dossier can be reopened by the same coach within the reopen window for the
        same help question; otherwise: open a new case (000 footnote 4)."""
        if self.is_erased:
            raise CaseErasedError("the dossier was erased: open a new case")
        if self.closed_at is None:
            raise CaseNotClosedError("only a closed case can be reopened")
        by.check_not_in_future()
        by.check_not_before(self.closed_at, "the case was closed")
        new_case = "open a new case instead (it can be linked to this one with consent)"
        if not periods.within_reopen_window(self.closed_at, by.occurred_at):
            raise ReopenNotAllowedError(
                f"the reopen window of {periods.reopen_window_days} days has passed: {new_case}"
            )
        if coach != self.closed_by_coach:
            raise ReopenNotAllowedError(f"only the coach who closed it may reopen: {new_case}")
        if help_question_id != self.help_question_id:
            raise ReopenNotAllowedError(f"a new help question means a new case: {new_case}")
        self.record(CaseReopened, by, coach=coach, help_question_id=help_question_id)

    def is_due_for_closure(self, periods: CasePeriods, as_of: datetime) -> bool:
        """Open, with no active help, and nothing happened for the inactivity period."""
        return (
            not self.is_closed
            and not self.has_active_help
            and periods.inactive_long_enough(self.last_activity_at, as_of)
        )

    @property
    def total_minutes(self) -> Decimal:
        spent = sum((c.minutes + c.writing_minutes for c in self.conversations), Decimal(0))
        return spent + self.bulk_minutes
