"""The facts partners may subscribe to, named as CloudEvents types (reverse DNS): the
published contract, so each is listed here rather than derived from a stored topic."""

from __future__ import annotations

PREFIX = "nl.gezinsregie."
WITHHELD = f"{PREFIX}notification.withheld"
"""Sent in a slot of the sequence whose case the subscriber may no longer read."""

TYPE_OF_TOPIC: dict[str, str] = {
    "gezinsregie.case.opened.v1": f"{PREFIX}case.opened",
    "gezinsregie.case.triaged.v1": f"{PREFIX}case.triaged",
    "gezinsregie.case.waitlist-placed.v1": f"{PREFIX}waitlist.placed",
    "gezinsregie.case.waitlist-left.v1": f"{PREFIX}waitlist.left",
    "gezinsregie.case.coach-assigned.v1": f"{PREFIX}coach.assigned",
    "gezinsregie.case.coach-changed.v1": f"{PREFIX}coach.changed",
    "gezinsregie.case.coaching-ended.v1": f"{PREFIX}coach.ended",
    "gezinsregie.case.round-table-held.v1": f"{PREFIX}round-table.held",
    "gezinsregie.case.plan-adopted.v1": f"{PREFIX}plan.adopted",
    "gezinsregie.case.plan-revised.v1": f"{PREFIX}plan.revised",
    "gezinsregie.case.plan-evaluated.v1": f"{PREFIX}plan.evaluated",
    "gezinsregie.case.referral-requested.v1": f"{PREFIX}referral.requested",
    "gezinsregie.case.referral-accepted.v1": f"{PREFIX}referral.accepted",
    "gezinsregie.case.referral-rejected.v1": f"{PREFIX}referral.rejected",
    "gezinsregie.case.referral-care-started.v1": f"{PREFIX}referral.care-started",
    "gezinsregie.case.referral-care-ended.v1": f"{PREFIX}referral.care-ended",
    "gezinsregie.case.referral-extended.v1": f"{PREFIX}referral.extended",
    "gezinsregie.case.consent-granted.v1": f"{PREFIX}consent.given",
    "gezinsregie.case.consent-withdrawn.v1": f"{PREFIX}consent.withdrawn",
    "gezinsregie.case.sharing-decided.v1": f"{PREFIX}disclosure.decided",
    "gezinsregie.case.safety-assessed.v1": f"{PREFIX}safety.assessed",
    "gezinsregie.case.escalated.v1": f"{PREFIX}case.escalated",
    "gezinsregie.case.closed.v1": f"{PREFIX}case.closed",
    "gezinsregie.case.reopened.v1": f"{PREFIX}case.reopened",
}
"""Stored event topic -> the notification type partners subscribe to."""

NOTIFICATION_TYPES: frozenset[str] = frozenset(TYPE_OF_TOPIC.values())
