"""What a case knows at a moment: built only by events' `evolve`, read by rules and views."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.consent import Consent, Refusal
from domain.erasure import Erasure, ErasureRequest, LegalHold
from domain.errors import CaseClosedError, CaseErasedError, InvalidInputError
from domain.family import FamilyMember
from domain.plan import FamilyPlan
from domain.provenance import Provenance
from domain.records import (
    BrokenAgreement,
    Conversation,
    Escalation,
    RoundTable,
    SafetyAssessment,
    SharingDecision,
    WaitlistEntry,
)
from domain.referral import Referral

if TYPE_CHECKING:
    from domain.case_event import CaseEvent

from domain.vocabulary import (
    Channel,
    ClosureReason,
    ErasureScope,
    ProblemCategory,
    RelapseRisk,
    TriageOutcome,
    Urgency,
)


class CaseState:
    """The state of a family case. Attributes are set by events only, and only by
    rebinding them: every value is immutable (tuples, frozensets, frozen records) or a
    dict that an event replaces whole, never changed in place. A case held in memory is
    shared by the requests that read it; a command changes a copy of its attributes."""

    opened_at: datetime
    last_activity_at: datetime
    municipality: str
    team: str
    channel: Channel
    reporter_organisation: str
    reporter_professional: str
    members: dict[str, FamilyMember]
    help_question_id: str
    help_question: str
    help_question_open: bool
    problems_parents: tuple[ProblemCategory, ...]
    problems_children: tuple[ProblemCategory, ...]
    urgency: Urgency
    previous_case_id: UUID | None
    triage_outcome: TriageOutcome | None
    coordination_level: int | None
    conversations: tuple[Conversation, ...]
    bulk_minutes: Decimal
    waitlist: WaitlistEntry | None
    coach: str | None
    coach_organisation: str | None
    coach_since: datetime | None
    coach_changes: int
    coaching_active: bool
    regisseur_known_to: frozenset[str]
    separate_plans: frozenset[str]
    round_tables: tuple[RoundTable, ...]
    plan: FamilyPlan | None
    broken_agreements: tuple[BrokenAgreement, ...]
    referrals: dict[str, Referral]
    consents: dict[str, Consent]
    refusals: dict[str, Refusal]
    sharing_decisions: tuple[SharingDecision, ...]
    safety_assessments: tuple[SafetyAssessment, ...]
    escalations: tuple[Escalation, ...]
    closed_at: datetime | None
    closure_reason: ClosureReason | None
    relapse_risk: RelapseRisk | None
    aftercare_by: str
    closed_by_coach: str | None
    reopen_count: int
    erasure_requests: dict[str, ErasureRequest]
    erasures: tuple[Erasure, ...]
    legal_hold: LegalHold | None

    if TYPE_CHECKING:
        id: UUID
        version: int

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    def init_state(self) -> None:
        """The empty case, before the melding's facts are applied."""
        self.help_question_open = True
        self.triage_outcome = None
        self.coordination_level = None
        self.conversations = ()
        self.bulk_minutes = Decimal(0)
        self.waitlist = None
        self.coach = self.coach_organisation = self.coach_since = None
        self.coach_changes = 0
        self.coaching_active = False
        self.regisseur_known_to = frozenset()
        self.separate_plans = frozenset()
        self.round_tables = ()
        self.plan = None
        self.broken_agreements = ()
        self.referrals = {}
        self.consents = {}
        self.refusals = {}
        self.sharing_decisions = ()
        self.safety_assessments = ()
        self.escalations = ()
        self.closed_at = self.closure_reason = self.relapse_risk = None
        self.aftercare_by = ""
        self.closed_by_coach = None
        self.reopen_count = 0
        self.erasure_requests = {}
        self.erasures = ()
        self.legal_hold = None

    def set_coach(self, coach: str, organisation: str, since: datetime) -> None:
        """A new regisseur: nobody has been told about them yet."""
        self.coach, self.coach_organisation, self.coach_since = coach, organisation, since
        self.coaching_active = True
        self.regisseur_known_to = frozenset()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_waiting(self) -> bool:
        return self.waitlist is not None and self.waitlist.waiting

    @property
    def has_active_help(self) -> bool:
        """Open help question, waiting, coaching, or a pending or running referral."""
        return (
            self.help_question_open
            or self.is_waiting
            or self.coaching_active
            or any(r.is_active for r in self.referrals.values())
        )

    @property
    def is_erased(self) -> bool:
        """The dossier's personal data was destroyed: what is left is dates and structure."""
        return any(e.scope is ErasureScope.DOSSIER for e in self.erasures)

    @property
    def erased_members(self) -> frozenset[str]:
        """Members whose identifying data was destroyed."""
        return frozenset(e.member_id for e in self.erasures if e.member_id is not None)

    def consents_in_force(self) -> list[Consent]:
        return [c for c in self.consents.values() if c.in_force]

    def check_may_record(self, by: Provenance) -> None:
        """Nothing but reopening happens on a closed case; facts happen within the case."""
        if self.is_erased:
            raise CaseErasedError("the dossier was erased: it records nothing new")
        if self.is_closed:
            raise CaseClosedError("the case is closed: nothing but reopening can happen")
        by.check_not_in_future()
        by.check_not_before(self.opened_at, "the case opened")

    def record(self, event_class: type[CaseEvent], by: Provenance, **data: Any) -> None:
        """Record one fact, decided in full, as the next event of this case."""
        self.trigger_event(
            event_class,
            timestamp=by.recorded_at,
            occurred_at=by.occurred_at,
            actor=by.actor.as_dict(),
            **data,
        )

    def check_members(self, member_ids: Sequence[str], field: str) -> None:
        """Facts about family members name members of this family (in `field`)."""
        unknown = sorted(set(member_ids) - set(self.members))
        if unknown:
            raise InvalidInputError(f"not a member of this family: {', '.join(unknown)}", field)
