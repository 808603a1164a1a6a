"""Commands from triage to coach: each checks its rule, then records the fact."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.case_state import CaseState
from domain.errors import (
    CoachError,
    ConsentRequiredError,
    DuplicateIdError,
    HelpQuestionError,
    InvalidInputError,
    WaitlistError,
)
from domain.events_intake import (
    CaseTriaged,
    CoachAssigned,
    CoachChanged,
    CoachingEnded,
    ConversationHeld,
    HelpQuestionAnswered,
    RegisseurMadeKnown,
    TimeRegistered,
    WaitlistContacted,
    WaitlistLeft,
    WaitlistPlaced,
)
from domain.provenance import Provenance
from domain.vocabulary import ConsentPurpose, ConversationKind, TriageOutcome, WaitlistExit

COORDINATION_LEVELS = range(6)
"""0 aware ... 5 coordination with a family coach (003)."""


def check_minutes(*minutes: Decimal) -> None:
    for value in minutes:
        if not Decimal(0) <= value <= Decimal(24 * 60):
            raise InvalidInputError(f"minutes must lie between 0 and 1440, not {value}", "minutes")


class IntakeCommands(CaseState):
    def triage(self, by: Provenance, *, outcome: TriageOutcome, coordination_level: int) -> None:
        """Beoordeling: single, complex or crisis, and the coordination level (0-5)."""
        self.check_may_record(by)
        if coordination_level not in COORDINATION_LEVELS:
            raise InvalidInputError(
                "the coordination level lies between 0 and 5", "coordination_level"
            )
        self.record(
            CaseTriaged,
            by,
            outcome=TriageOutcome(outcome).value,
            coordination_level=coordination_level,
        )

    def hold_conversation(
        self,
        by: Provenance,
        *,
        conversation_id: str,
        kind: ConversationKind,
        minutes: Decimal,
        writing_minutes: Decimal,
        participants: Sequence[str],
        notes: str = "",
    ) -> None:
        """A conversation, with exact minutes spent and minutes writing up."""
        self.check_may_record(by)
        check_minutes(minutes, writing_minutes)
        if any(c.conversation_id == conversation_id for c in self.conversations):
            raise DuplicateIdError(f"conversation {conversation_id} is already recorded")
        self.record(
            ConversationHeld,
            by,
            conversation_id=conversation_id,
            kind=ConversationKind(kind).value,
            minutes=minutes,
            writing_minutes=writing_minutes,
            participants=list(participants),
            notes=notes,
        )

    def register_time(self, by: Provenance, *, minutes: Decimal, writing_minutes: Decimal) -> None:
        """Time registered afterwards without conversation records; reports keep it apart."""
        self.check_may_record(by)
        check_minutes(minutes, writing_minutes)
        self.record(TimeRegistered, by, minutes=minutes, writing_minutes=writing_minutes)

    def answer_help_question(self, by: Provenance) -> None:
        """The help question needs no further help."""
        self.check_may_record(by)
        if not self.help_question_open:
            raise HelpQuestionError("the help question is already answered")
        self.record(HelpQuestionAnswered, by, help_question_id=self.help_question_id)

    def place_on_waitlist(self, by: Provenance, *, priority: int) -> None:
        """Placing a family on the waitlist needs their consent (000 §5.2.5)."""
        self.check_may_record(by)
        if self.is_waiting:
            raise WaitlistError("the family is already on the waitlist")
        if self.coaching_active:
            raise WaitlistError("the family already has a coach")
        if not 1 <= priority <= 5:
            raise InvalidInputError("priority lies between 1 (highest) and 5", "priority")
        consent = next(
            (c for c in self.consents_in_force() if c.purpose is ConsentPurpose.WAITLIST), None
        )
        if consent is None:
            raise ConsentRequiredError("placing on the waitlist needs the family's consent")
        self.record(WaitlistPlaced, by, priority=priority, consent_id=consent.consent_id)

    def contact_waiting_family(self, by: Provenance) -> None:
        """Contact with a waiting family, every two weeks while waiting."""
        self.check_may_record(by)
        self._check_waiting(by)
        self.record(WaitlistContacted, by)

    def leave_waitlist(self, by: Provenance, *, exit: WaitlistExit) -> None:
        """Leaving without a coach: withdrawn or no longer needed."""
        self.check_may_record(by)
        self._check_waiting(by)
        if WaitlistExit(exit) is WaitlistExit.COACH_ASSIGNED:
            raise WaitlistError("a family leaves the waitlist for a coach by assigning one")
        self.record(WaitlistLeft, by, exit=WaitlistExit(exit).value)

    def _check_waiting(self, by: Provenance) -> None:
        if self.waitlist is None or not self.waitlist.waiting:
            raise WaitlistError("the family is not on the waitlist")
        by.check_not_before(self.waitlist.placed_at, "the family was placed on the waitlist")

    def assign_coach(self, by: Provenance, *, coach: str, organisation: str) -> None:
        """One regisseur at a time (001 S1); a waiting family leaves the waitlist."""
        self.check_may_record(by)
        if self.coaching_active:
            raise CoachError(f"{self.coach} is the regisseur: change the coach instead")
        if self.is_waiting:
            self.record(WaitlistLeft, by, exit=WaitlistExit.COACH_ASSIGNED.value)
        self.record(CoachAssigned, by, coach=coach, organisation=organisation)

    def change_coach(self, by: Provenance, *, coach: str, organisation: str, reason: str) -> None:
        """The regisseur changes hands; the change is itself a fact (001 S2)."""
        self.check_may_record(by)
        if not self.coaching_active or self.coach is None:
            raise CoachError("there is no regisseur to change: assign a coach")
        if coach == self.coach:
            raise CoachError(f"{coach} already is the regisseur")
        if self.coach_since is not None:
            by.check_not_before(self.coach_since, "the current regisseur started")
        self.record(
            CoachChanged,
            by,
            previous_coach=self.coach,
            coach=coach,
            organisation=organisation,
            reason=reason,
        )

    def make_regisseur_known(self, by: Provenance, *, organisations: Sequence[str]) -> None:
        """Tell the organisations involved who the regisseur is (001 S3)."""
        self.check_may_record(by)
        if not self.coaching_active or self.coach is None:
            raise CoachError("there is no regisseur to make known: assign a coach")
        if not organisations:
            raise InvalidInputError("name the organisations that were told", "organisations")
        self.record(RegisseurMadeKnown, by, coach=self.coach, organisations=list(organisations))

    def end_coaching(self, by: Provenance, *, reason: str) -> None:
        self.check_may_record(by)
        if not self.coaching_active or self.coach is None:
            raise CoachError("there is no coaching in progress")
        if self.coach_since is not None:
            by.check_not_before(self.coach_since, "the coaching started")
        self.record(CoachingEnded, by, coach=self.coach, reason=reason)
