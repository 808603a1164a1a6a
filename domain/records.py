"""Small records kept in a case's state: conversations, waiting, meetings, safety, sharing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.vocabulary import (
    ConversationKind,
    DataCategory,
    EscalationTarget,
    LegalGround,
    SafetyMethod,
    SafetyVerdict,
    WaitlistExit,
)


@dataclass(frozen=True)
class Conversation:
    """Exact minutes (decimals), not time bands: the pilot could not measure with bands."""

    conversation_id: str
    kind: ConversationKind
    minutes: Decimal
    writing_minutes: Decimal
    participants: tuple[str, ...]
    occurred_at: datetime
    notes: str = ""


@dataclass(frozen=True)
class WaitlistEntry:
    placed_at: datetime
    priority: int
    contacts: tuple[datetime, ...] = ()
    left_at: datetime | None = None
    exit: WaitlistExit | None = None

    @property
    def waiting(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class RoundTable:
    """Rondetafelgesprek: one shared plan and who coordinates (002)."""

    occurred_at: datetime
    members: tuple[str, ...]
    organisations: tuple[str, ...]
    decisions: str


@dataclass(frozen=True)
class SharingDecision:
    """A disclosure without consent, or a decision not to share, with its grounds (002)."""

    shared: bool
    organisation: str
    members: tuple[str, ...]
    categories: frozenset[DataCategory]
    legal_ground: LegalGround | None
    justification: str
    occurred_at: datetime


@dataclass(frozen=True)
class SafetyAssessment:
    method: SafetyMethod
    verdict: SafetyVerdict
    occurred_at: datetime
    notes: str = ""


@dataclass(frozen=True)
class Escalation:
    target: EscalationTarget
    reason: str
    occurred_at: datetime


@dataclass(frozen=True)
class BrokenAgreement:
    agreement_id: str
    occurred_at: datetime
    notes: str = ""
