"""The waitlists: families waiting for a coach, and referrals waiting at providers.

Rows: `case:<id>` (where the case belongs), `family:<id>` while the family waits, and
`referral:<id>:<referral>` from request until care starts or the referral is rejected.
No personal data: ids, dates, priorities, categories."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.case_event import CaseEvent
from domain.events_intake import CaseOpened, WaitlistContacted, WaitlistLeft, WaitlistPlaced
from domain.events_lifecycle import CaseClosed, CaseReopened
from domain.events_privacy import ConsentGranted, ConsentWithdrawn
from domain.events_referral import (
    ReferralAccepted,
    ReferralCareStarted,
    ReferralRejected,
    ReferralRequested,
)
from domain.vocabulary import ConsentPurpose
from projections.projection import Projection, RowBatch, case_id_text, moment
from projections.view import ViewRow


def case_key(event: CaseEvent) -> str:
    return f"case:{case_id_text(event.originator_id)}"


def family_key(event: CaseEvent) -> str:
    return f"family:{case_id_text(event.originator_id)}"


def referral_key(event: CaseEvent, referral_id: str) -> str:
    return f"referral:{case_id_text(event.originator_id)}:{referral_id}"


class WaitlistProjection(Projection):
    name = "waitlist"
    description = "families waiting for a coach, and referrals waiting at providers"

    def keys_for(self, event: CaseEvent) -> list[str]:
        case_id = case_id_text(event.originator_id)
        keys = [f"case:{case_id}", f"family:{case_id}"]
        referral_id = getattr(event, "referral_id", None)
        if referral_id:
            keys.append(f"referral:{case_id}:{referral_id}")
        return keys

    def row(
        self, rows: RowBatch, event: CaseEvent, key: str, kind: str, doc: dict[str, Any]
    ) -> None:
        place = rows.get(case_key(event))
        assert place is not None, f"{key}: the case's CaseOpened was not projected"
        case_id = case_id_text(event.originator_id)
        rows.put(ViewRow(key, case_id, place.municipality, place.team, kind, doc))

    def update(self, rows: RowBatch, key: str, **changes: Any) -> None:
        row = rows.get(key)
        if row is not None:  # ViewRow(...) rather than dataclasses.replace: a hot path
            doc = {**row.doc, **changes}
            rows.put(ViewRow(row.key, row.case_id, row.municipality, row.team, row.kind, doc))

    @singledispatchmethod
    def handle(self, event: Any, rows: RowBatch) -> None:
        """Other events do not change the waitlists."""

    @handle.register
    def _(self, event: CaseOpened, rows: RowBatch) -> None:
        doc = {"urgency": event.urgency, "waitlist_consents": [], "pending_referrals": []}
        rows.put(
            ViewRow(
                case_key(event),
                str(event.originator_id),
                event.municipality,
                event.team,
                "case",
                doc,
            )
        )

    @handle.register
    def _(self, event: ConsentGranted, rows: RowBatch) -> None:
        if event.purpose == ConsentPurpose.WAITLIST:
            place = rows.get(case_key(event))
            assert place is not None
            consents = [*place.doc["waitlist_consents"], event.consent_id]
            self.update(rows, case_key(event), waitlist_consents=consents)
            self.update(rows, family_key(event), consent_in_force=True)

    @handle.register
    def _(self, event: ConsentWithdrawn, rows: RowBatch) -> None:
        place = rows.get(case_key(event))
        assert place is not None
        consents = [c for c in place.doc["waitlist_consents"] if c != event.consent_id]
        self.update(rows, case_key(event), waitlist_consents=consents)
        self.update(rows, family_key(event), consent_in_force=bool(consents))

    @handle.register
    def _(self, event: WaitlistPlaced, rows: RowBatch) -> None:
        place = rows.get(case_key(event))
        assert place is not None
        doc = {
            "priority": event.priority,
            "placed_at": moment(event.occurred_at),
            "contacts": 0,
            "last_contact_at": None,
            "consent_in_force": bool(place.doc["waitlist_consents"]),
            "urgency": place.doc["urgency"],
        }
        self.row(rows, event, family_key(event), "family", doc)

    @handle.register
    def _(self, event: WaitlistContacted, rows: RowBatch) -> None:
        row = rows.get(family_key(event))
        if row is not None:
            self.update(
                rows,
                row.key,
                contacts=row.doc["contacts"] + 1,
                last_contact_at=moment(event.occurred_at),
            )

    @handle.register
    def _(self, event: WaitlistLeft, rows: RowBatch) -> None:
        rows.delete(family_key(event))

    @handle.register
    def _(self, event: ReferralRequested, rows: RowBatch) -> None:
        doc = {
            "referral_id": event.referral_id,
            "member_id": event.member_id,
            "destination": event.destination,
            "organisation": event.organisation,
            "status": "requested",
            "requested_at": moment(event.occurred_at),
        }
        self.row(rows, event, referral_key(event, event.referral_id), "referral", doc)
        self._pending(rows, event, add=event.referral_id)

    def _pending(
        self, rows: RowBatch, event: CaseEvent, add: str = "", remove: str = ""
    ) -> list[str]:
        """The case row remembers its waiting referrals, so closing can remove them."""
        place = rows.get(case_key(event))
        assert place is not None
        before = place.doc["pending_referrals"]
        after = [r for r in before if r != remove] + ([add] if add else [])
        self.update(rows, place.key, pending_referrals=after)
        return list(before)

    @handle.register
    def _(self, event: ReferralAccepted, rows: RowBatch) -> None:
        self.update(rows, referral_key(event, event.referral_id), status="accepted")

    @handle.register(ReferralRejected)
    @handle.register(ReferralCareStarted)
    def _(self, event: ReferralRejected | ReferralCareStarted, rows: RowBatch) -> None:
        rows.delete(referral_key(event, event.referral_id))
        self._pending(rows, event, remove=event.referral_id)

    @handle.register
    def _(self, event: CaseClosed, rows: RowBatch) -> None:
        """A closed case waits for nothing: the family leaves the waitlist, and its pending
        referrals are set aside (not listed) until the case may be reopened."""
        rows.delete(family_key(event))
        self._set_aside(rows, event, closed=True)

    @handle.register
    def _(self, event: CaseReopened, rows: RowBatch) -> None:
        self._set_aside(rows, event, closed=False)

    def _set_aside(self, rows: RowBatch, event: CaseEvent, closed: bool) -> None:
        place = rows.get(case_key(event))
        assert place is not None
        keys = [referral_key(event, r) for r in place.doc["pending_referrals"]]
        rows.load(keys)
        for key in keys:
            self.update(rows, key, case_closed=closed)
