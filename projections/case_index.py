"""The case index: one row per case, open or closed, with what a listing filters on
(place, status, coach, when it opened) as indexed columns; and, for finding a family by
name, one row per token of each member's blind index (`application.name_search`).

No row holds a name or a birth date: only tokens, which without the search key say
nothing. An erasure deletes the tokens of whom it erased, and since the names are read
with the case's keys, a rebuild after it finds nothing to index."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from application.name_search import MemberNames
from domain.case_event import CaseEvent
from domain.events_erasure import PersonalDataErased
from domain.events_intake import CaseOpened, CoachAssigned, CoachChanged, CoachingEnded
from domain.events_lifecycle import CaseClosed, CaseReopened
from domain.vocabulary import ErasureScope
from projections.projection import Projection, RowBatch, case_id_text, moment
from projections.view import ViewRow

NAMES = "names"
"""The case row's count of name rows per member (their keys are derived from it)."""


def name_key(case_id: str, member_id: str, index: int) -> str:
    return f"{case_id}/name/{member_id}/{index}"


class CaseIndexProjection(Projection):
    name = "case_index"
    description = "every case with its place, status, coach and opening, and the name index"

    def __init__(self, names: MemberNames) -> None:
        self.names = names
        self.opening: list[CaseOpened] = []
        """Cases opened in the events named so far whose members' keys are not fetched:
        the worker names a part's events before it handles them, so the first `CaseOpened`
        handled fetches the keys of all of the part's in one query."""

    def keys_for(self, event: CaseEvent) -> list[str]:
        if isinstance(event, CaseOpened):
            self.opening.append(event)
        return [case_id_text(event.originator_id)]

    def change(self, rows: RowBatch, event: CaseEvent, **fields: Any) -> None:
        row = rows.editable(case_id_text(event.originator_id))
        assert row is not None, f"case {event.originator_id}: CaseOpened was not projected"
        row.doc.update(fields)
        rows.put(row)

    @singledispatchmethod
    def handle(self, event: Any, rows: RowBatch) -> None:
        """Other facts change nothing the index holds."""

    @handle.register
    def _(self, event: CaseOpened, rows: RowBatch) -> None:
        if self.opening:
            self.names.preload(self.opening)
            self.opening.clear()
        case_id = case_id_text(event.originator_id)
        counts: dict[str, int] = {}
        for member in self.names.members(event):
            tokens = self.names.tokens.tokens_of(member)
            for index, token in enumerate(tokens):
                key = name_key(case_id, member.member_id, index)
                rows.put(
                    ViewRow(key, case_id, event.municipality, event.team, "name", {"token": token})
                )
            counts[member.member_id] = len(tokens)
        doc = {
            "status": "open",
            "opened_at": moment(event.occurred_at),
            "closed_at": None,
            "coach": None,
            "coach_organisation": None,
            NAMES: counts,
        }
        rows.put(ViewRow(case_id, case_id, event.municipality, event.team, "case", doc))

    @handle.register(CoachAssigned)
    @handle.register(CoachChanged)
    def _(self, event: CoachAssigned | CoachChanged, rows: RowBatch) -> None:
        self.change(rows, event, coach=event.coach, coach_organisation=event.organisation)

    @handle.register
    def _(self, event: CoachingEnded, rows: RowBatch) -> None:
        self.change(rows, event, coach=None)

    @handle.register
    def _(self, event: CaseClosed, rows: RowBatch) -> None:
        """A closed case stays the closing coach's (they may reopen it)."""
        self.change(
            rows, event, status="closed", closed_at=moment(event.occurred_at), coach=event.coach
        )

    @handle.register
    def _(self, event: CaseReopened, rows: RowBatch) -> None:
        self.change(rows, event, status="open", closed_at=None, coach=event.coach)

    @handle.register
    def _(self, event: PersonalDataErased, rows: RowBatch) -> None:
        """The erased members' tokens go: all of the case's for a dossier, else the one's."""
        case_id = case_id_text(event.originator_id)
        row = rows.editable(case_id)
        assert row is not None, f"case {case_id}: CaseOpened was not projected"
        counts: dict[str, int] = row.doc[NAMES]
        erased = list(counts) if event.scope == ErasureScope.DOSSIER else [event.member_id]
        for member_id in erased:
            for index in range(counts.pop(str(member_id), 0)):
                rows.delete(name_key(case_id, str(member_id), index))
        rows.put(row)
