"""Consent, refusals and sharing decisions: the family's control over who is informed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from domain.case_event import CaseEvent
from domain.consent import Consent, Refusal
from domain.records import SharingDecision
from domain.vocabulary import ConsentForm, ConsentPurpose, DataCategory, LegalGround

if TYPE_CHECKING:
    from domain.case import Case


class ConsentGranted(CaseEvent):
    """Consent recorded in the dossier (002), with its scope."""

    TOPIC = "gezinsregie.case.consent-granted.v1"

    consent_id: str
    given_by: list[str]
    about: list[str]
    organisation: str
    categories: list[str]
    purpose: str
    form: str
    both_parents_required: bool = False

    def evolve(self, case: Case) -> None:
        consent = Consent(
            consent_id=self.consent_id,
            given_by=tuple(self.given_by),
            about=tuple(self.about),
            organisation=self.organisation,
            categories=frozenset(DataCategory(c) for c in self.categories),
            purpose=ConsentPurpose(self.purpose),
            form=ConsentForm(self.form),
            granted_at=self.occurred_at,
            both_parents_required=self.both_parents_required,
        )
        case.consents = {**case.consents, self.consent_id: consent}


class ConsentWithdrawn(CaseEvent):
    """Withdrawal takes effect at once, in every view."""

    TOPIC = "gezinsregie.case.consent-withdrawn.v1"

    consent_id: str
    withdrawn_by: list[str]

    def evolve(self, case: Case) -> None:
        withdrawn = replace(case.consents[self.consent_id], withdrawn_at=self.occurred_at)
        case.consents = {**case.consents, self.consent_id: withdrawn}


class RefusalRecorded(CaseEvent):
    """'Not to them': e.g. a parent refuses sharing with an ex-partner (004 case 8)."""

    TOPIC = "gezinsregie.case.refusal-recorded.v1"

    refusal_id: str
    given_by: list[str]
    recipient: str
    categories: list[str]

    def evolve(self, case: Case) -> None:
        refusal = Refusal(
            refusal_id=self.refusal_id,
            given_by=tuple(self.given_by),
            recipient=self.recipient,
            categories=frozenset(DataCategory(c) for c in self.categories),
            recorded_at=self.occurred_at,
        )
        case.refusals = {**case.refusals, self.refusal_id: refusal}


class SharingDecided(CaseEvent):
    """A professional's decision to share without consent, or not to share (002)."""

    TOPIC = "gezinsregie.case.sharing-decided.v1"

    shared: bool
    organisation: str
    members: list[str]
    categories: list[str]
    legal_ground: str | None
    justification: str

    def evolve(self, case: Case) -> None:
        decision = SharingDecision(
            shared=self.shared,
            organisation=self.organisation,
            members=tuple(self.members),
            categories=frozenset(DataCategory(c) for c in self.categories),
            legal_ground=LegalGround(self.legal_ground) if self.legal_ground else None,
            justification=self.justification,
            occurred_at=self.occurred_at,
        )
        case.sharing_decisions = (*case.sharing_decisions, decision)
