"""Referrals (verwijzing) follow the iJw message order:
requested -> accepted | rejected -> care started -> care ended; care may be extended."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from domain.errors import ReferralTransitionError
from domain.vocabulary import ReferralDestination, ReferralStatus

NEXT_STATUSES: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.REQUESTED: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.REJECTED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.CARE_STARTED}),
    ReferralStatus.REJECTED: frozenset(),
    ReferralStatus.CARE_STARTED: frozenset({ReferralStatus.CARE_ENDED}),
    ReferralStatus.CARE_ENDED: frozenset(),
}
PENDING_OR_RUNNING = frozenset(
    {ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.CARE_STARTED}
)


@dataclass(frozen=True)
class Referral:
    """A referral of one family member to a destination category and organisation."""

    referral_id: str
    member_id: str
    destination: ReferralDestination
    organisation: str
    status: ReferralStatus
    requested_at: datetime
    changed_at: datetime
    started_at: datetime | None = None
    reason: str = ""
    extended_until: date | None = None

    @property
    def is_active(self) -> bool:
        """Pending or running referrals count as active help."""
        return self.status in PENDING_OR_RUNNING

    def check_may_move_to(self, target: ReferralStatus) -> None:
        if target not in NEXT_STATUSES[self.status]:
            raise ReferralTransitionError(
                f"referral {self.referral_id} is {self.status.value}; "
                f"it cannot become {target.value}"
            )

    def check_may_extend(self) -> None:
        if self.status is not ReferralStatus.CARE_STARTED:
            raise ReferralTransitionError(
                f"referral {self.referral_id} is {self.status.value}; "
                "only care that has started can be extended"
            )

    def moved_to(self, status: ReferralStatus, at: datetime, reason: str = "") -> Referral:
        started = at if status is ReferralStatus.CARE_STARTED else self.started_at
        return replace(self, status=status, changed_at=at, started_at=started, reason=reason)
