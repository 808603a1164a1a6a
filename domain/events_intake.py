"""Events from melding to coach: opening, triage, conversations, waitlist, coaching."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.case_event import CaseEvent
from domain.family import FamilyMember
from domain.records import Conversation, WaitlistEntry
from domain.vocabulary import (
    Channel,
    ConversationKind,
    ProblemCategory,
    TriageOutcome,
    Urgency,
    WaitlistExit,
)

if TYPE_CHECKING:
    from domain.case import Case


class CaseOpened(CaseEvent, Aggregate.Created):
    """A melding was received and a case opened for the family."""

    TOPIC = "gezinsregie.case.opened.v1"

    municipality: str
    team: str
    channel: str
    reporter_organisation: str
    reporter_professional: str
    members: list[dict[str, Any]]
    help_question_id: str
    help_question: str
    problems_parents: list[str]
    problems_children: list[str]
    urgency: str
    previous_case_id: UUID | None
    link_consented_by: list[str]

    def evolve(self, case: Case) -> None:
        case.init_state()
        case.opened_at = case.last_activity_at = self.occurred_at
        case.municipality = self.municipality
        case.team = self.team
        case.channel = Channel(self.channel)
        case.reporter_organisation = self.reporter_organisation
        case.reporter_professional = self.reporter_professional
        case.members = {m["member_id"]: FamilyMember.from_dict(m) for m in self.members}
        case.help_question_id = self.help_question_id
        case.help_question = self.help_question
        case.problems_parents = tuple(ProblemCategory(p) for p in self.problems_parents)
        case.problems_children = tuple(ProblemCategory(p) for p in self.problems_children)
        case.urgency = Urgency(self.urgency)
        case.previous_case_id = self.previous_case_id


class CaseTriaged(CaseEvent):
    """Beoordeling: single, complex or crisis, and the coordination level 0-5 needed."""

    TOPIC = "gezinsregie.case.triaged.v1"

    outcome: str
    coordination_level: int

    def evolve(self, case: Case) -> None:
        case.triage_outcome = TriageOutcome(self.outcome)
        case.coordination_level = self.coordination_level


class ConversationHeld(CaseEvent):
    TOPIC = "gezinsregie.case.conversation-held.v1"

    conversation_id: str
    kind: str
    minutes: Decimal
    writing_minutes: Decimal
    participants: list[str]
    notes: str

    def evolve(self, case: Case) -> None:
        conversation = Conversation(
            conversation_id=self.conversation_id,
            kind=ConversationKind(self.kind),
            minutes=self.minutes,
            writing_minutes=self.writing_minutes,
            participants=tuple(self.participants),
            occurred_at=self.occurred_at,
            notes=self.notes,
        )
        case.conversations = (*case.conversations, conversation)


class TimeRegistered(CaseEvent):
    """Minutes registered afterwards in bulk, without conversation records (000)."""

    TOPIC = "gezinsregie.case.time-registered.v1"

    minutes: Decimal
    writing_minutes: Decimal

    def evolve(self, case: Case) -> None:
        case.bulk_minutes += self.minutes + self.writing_minutes


class HelpQuestionAnswered(CaseEvent):
    """The help question needs no further help; it no longer keeps the case active."""

    TOPIC = "gezinsregie.case.help-question-answered.v1"

    help_question_id: str

    def evolve(self, case: Case) -> None:
        case.help_question_open = False


class WaitlistPlaced(CaseEvent):
    TOPIC = "gezinsregie.case.waitlist-placed.v1"

    priority: int
    consent_id: str

    def evolve(self, case: Case) -> None:
        case.waitlist = WaitlistEntry(placed_at=self.occurred_at, priority=self.priority)


class WaitlistContacted(CaseEvent):
    """Contact with a waiting family (every 2 weeks, 000 §5.2.4)."""

    TOPIC = "gezinsregie.case.waitlist-contacted.v1"

    def evolve(self, case: Case) -> None:
        assert case.waitlist is not None
        contacts = (*case.waitlist.contacts, self.occurred_at)
        case.waitlist = replace(case.waitlist, contacts=contacts)


class WaitlistLeft(CaseEvent):
    TOPIC = "gezinsregie.case.waitlist-left.v1"

    exit: str

    def evolve(self, case: Case) -> None:
        assert case.waitlist is not None
        exit_reason = WaitlistExit(self.exit)
        case.waitlist = replace(case.waitlist, left_at=self.occurred_at, exit=exit_reason)


class CoachAssigned(CaseEvent):
    """A gezinscoach became the case's one regisseur."""

    TOPIC = "gezinsregie.case.coach-assigned.v1"

    coach: str
    organisation: str

    def evolve(self, case: Case) -> None:
        case.set_coach(self.coach, self.organisation, self.occurred_at)


class RegisseurMadeKnown(CaseEvent):
    """The organisations involved were told who the regisseur is (001 S3)."""

    TOPIC = "gezinsregie.case.regisseur-made-known.v1"

    coach: str
    organisations: list[str]

    def evolve(self, case: Case) -> None:
        case.regisseur_known_to = case.regisseur_known_to | frozenset(self.organisations)


class CoachChanged(CaseEvent):
    """The regisseur changed hands (counted by inspection indicator S2)."""

    TOPIC = "gezinsregie.case.coach-changed.v1"

    previous_coach: str
    coach: str
    organisation: str
    reason: str

    def evolve(self, case: Case) -> None:
        case.set_coach(self.coach, self.organisation, self.occurred_at)
        case.coach_changes += 1


class CoachingEnded(CaseEvent):
    TOPIC = "gezinsregie.case.coaching-ended.v1"

    coach: str
    reason: str

    def evolve(self, case: Case) -> None:
        case.coaching_active = False
