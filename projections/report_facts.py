"""The facts the municipality's monitor is computed from: one row per case, with the moments
and categories of its history and nothing personal (no names, texts, notes or members).

Every fact keeps the moment it happened, so a report for any period is computed from the
rows without reading the events again; minutes are kept as exact decimal strings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.case_event import CaseEvent
from domain.events_intake import (
    CaseOpened,
    CaseTriaged,
    CoachAssigned,
    CoachChanged,
    CoachingEnded,
    ConversationHeld,
    TimeRegistered,
    WaitlistContacted,
    WaitlistLeft,
    WaitlistPlaced,
)
from domain.events_lifecycle import CaseClosed, CaseReopened
from domain.events_referral import ReferralMoved, ReferralRequested
from projections.projection import Projection, RowBatch, case_id_text, moment
from projections.view import ViewRow

Doc = dict[str, Any]


def end_coaching_spell(doc: Doc, at: str) -> None:
    """The running spell of a coach as regisseur, if any, ends at `at`."""
    if doc["coaching"] and doc["coaching"][-1]["to"] is None:
        doc["coaching"][-1]["to"] = at


def start_coaching_spell(doc: Doc, coach: str, organisation: str, at: str) -> None:
    end_coaching_spell(doc, at)
    doc["coaching"].append({"coach": coach, "organisation": organisation, "from": at, "to": None})


class ReportFactsProjection(Projection):
    name = "report"
    description = "per case the dated, non-personal facts the monitor reports on"

    def keys_for(self, event: CaseEvent) -> list[str]:
        return [case_id_text(event.originator_id)]

    def change(self, rows: RowBatch, event: CaseEvent, edit: Callable[[Doc, str], None]) -> None:
        row = rows.editable(case_id_text(event.originator_id))
        assert row is not None, f"case {event.originator_id}: CaseOpened was not projected"
        edit(row.doc, moment(event.occurred_at))
        rows.put(row)

    @singledispatchmethod
    def handle(self, event: Any, rows: RowBatch) -> None:
        """Other facts are not reported on."""

    @handle.register
    def _(self, event: CaseOpened, rows: RowBatch) -> None:
        previous = event.previous_case_id
        doc: Doc = {
            "opened_at": moment(event.occurred_at),
            "channel": event.channel,
            "urgency": event.urgency,
            "problems_parents": sorted(event.problems_parents),
            "problems_children": sorted(event.problems_children),
            "previous_case_id": str(previous) if previous else None,
            "triages": [],
            "conversations": [],
            "registered_time": [],
            "referrals": {},
            "waitlist": [],
            "coaching": [],
            "closures": [],
            "reopenings": [],
        }
        case_id = case_id_text(event.originator_id)
        rows.put(ViewRow(case_id, case_id, event.municipality, event.team, "case", doc))

    @handle.register
    def _(self, event: CaseTriaged, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            doc["triages"].append([at, event.outcome, event.coordination_level])

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: ConversationHeld, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            minutes, writing = str(event.minutes), str(event.writing_minutes)
            doc["conversations"].append([at, event.kind, minutes, writing])

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: TimeRegistered, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            minutes, writing = str(event.minutes), str(event.writing_minutes)
            doc["registered_time"].append([at, minutes, writing])

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: WaitlistPlaced, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            stay = {"placed_at": at, "priority": event.priority, "contacts": []}
            doc["waitlist"].append({**stay, "left_at": None, "exit": None})

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: WaitlistContacted, rows: RowBatch) -> None:
        self.change(rows, event, lambda doc, at: doc["waitlist"][-1]["contacts"].append(at))

    @handle.register
    def _(self, event: WaitlistLeft, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            doc["waitlist"][-1].update(left_at=at, exit=event.exit)

        self.change(rows, event, edit)

    @handle.register(CoachAssigned)
    @handle.register(CoachChanged)
    def _(self, event: CoachAssigned | CoachChanged, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            start_coaching_spell(doc, event.coach, event.organisation, at)

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: CoachingEnded, rows: RowBatch) -> None:
        self.change(rows, event, lambda doc, at: end_coaching_spell(doc, at))

    @handle.register
    def _(self, event: ReferralRequested, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            doc["referrals"][event.referral_id] = {
                "destination": event.destination,
                "requested_at": at,
                "steps": [],
            }

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: ReferralMoved, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            doc["referrals"][event.referral_id]["steps"].append([at, event.STATUS.value])

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: CaseClosed, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            end_coaching_spell(doc, at)
            doc["closures"].append([at, event.reason])

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: CaseReopened, rows: RowBatch) -> None:
        def edit(doc: Doc, at: str) -> None:
            doc["reopenings"].append(at)
            spells = doc["coaching"]
            organisation = spells[-1]["organisation"] if spells else ""
            start_coaching_spell(doc, event.coach, organisation, at)

        self.change(rows, event, edit)
