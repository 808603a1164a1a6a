"""Referral events, one per iJw-like message."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from domain.case_event import CaseEvent
from domain.referral import Referral
from domain.vocabulary import ReferralDestination, ReferralStatus

if TYPE_CHECKING:
    from domain.case import Case


class ReferralRequested(CaseEvent):
    TOPIC = "gezinsregie.case.referral-requested.v1"

    referral_id: str
    member_id: str
    destination: str
    organisation: str

    def evolve(self, case: Case) -> None:
        case.referrals = {
            **case.referrals,
            self.referral_id: Referral(
                referral_id=self.referral_id,
                member_id=self.member_id,
                destination=ReferralDestination(self.destination),
                organisation=self.organisation,
                status=ReferralStatus.REQUESTED,
                requested_at=self.occurred_at,
                changed_at=self.occurred_at,
            ),
        }


class ReferralMoved(CaseEvent):
    """A referral moved to its next status; subclasses name which."""

    STATUS: ClassVar[ReferralStatus]

    referral_id: str
    reason: str

    def evolve(self, case: Case) -> None:
        moved = case.referrals[self.referral_id].moved_to(
            self.STATUS, self.occurred_at, self.reason
        )
        case.referrals = {**case.referrals, self.referral_id: moved}


class ReferralAccepted(ReferralMoved):
    TOPIC = "gezinsregie.case.referral-accepted.v1"
    STATUS = ReferralStatus.ACCEPTED


class ReferralRejected(ReferralMoved):
    TOPIC = "gezinsregie.case.referral-rejected.v1"
    STATUS = ReferralStatus.REJECTED


class ReferralCareStarted(ReferralMoved):
    TOPIC = "gezinsregie.case.referral-care-started.v1"
    STATUS = ReferralStatus.CARE_STARTED


class ReferralCareEnded(ReferralMoved):
    TOPIC = "gezinsregie.case.referral-care-ended.v1"
    STATUS = ReferralStatus.CARE_ENDED


class ReferralExtended(CaseEvent):
    """Youth care extended on the basis of an evaluation (000)."""

    TOPIC = "gezinsregie.case.referral-extended.v1"

    referral_id: str
    until: date
    reason: str

    def evolve(self, case: Case) -> None:
        extended = replace(case.referrals[self.referral_id], extended_until=self.until)
        case.referrals = {**case.referrals, self.referral_id: extended}
