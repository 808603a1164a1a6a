"""A projection turns case events into view rows. Handlers are chosen by event type
(singledispatchmethod) and work on a batch-local set of rows, written with the batch."""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.case_event import CaseEvent
from projections.view import DocumentView, ViewRow

REMEMBERED = 8192
"""How many texts `moment` and `case_id_text` remember (forgotten all at once when full)."""
_moments: dict[datetime, str] = {}
_case_ids: dict[int, str] = {}


def moment(at: datetime) -> str:
    """A moment as stored in view documents: ISO 8601 in UTC, so that string order is
    time order whatever offset the fact was recorded with. Remembered: every projection
    formats the same event's moment (a datetime caches its hash, and equal datetimes are
    the same instant, so they have the same text)."""
    text = _moments.get(at)
    if text is None:
        if len(_moments) >= REMEMBERED:
            _moments.clear()
        text = _moments[at] = at.astimezone(UTC).isoformat()
    return text


def case_id_text(case_id: UUID) -> str:
    """`str(case_id)`, remembered by the id's number: a batch's events name the same few
    cases over and over, in every projection, and formatting a UUID costs more than looking
    its number up (a UUID's own hash and equality are Python code, its number's are not)."""
    number = case_id.int
    text = _case_ids.get(number)
    if text is None:
        if len(_case_ids) >= REMEMBERED:
            _case_ids.clear()
        text = _case_ids[number] = str(case_id)
    return text


def copy_document(value: Any) -> Any:
    """A deep copy of a JSON document (dicts, lists and scalars; tuples kept as tuples),
    several times faster than `copy.deepcopy`, which also handles what JSON cannot hold."""
    if isinstance(value, dict):
        return {key: copy_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_document(item) for item in value]
    if isinstance(value, tuple):
        return tuple(copy_document(item) for item in value)
    return value


class RowBatch:
    """The rows a batch of events reads and changes; written at the end in one go."""

    def __init__(self, view: DocumentView, keys: Iterable[str]) -> None:
        self.view = view
        self.rows: dict[str, ViewRow | None] = dict.fromkeys(keys)
        self.stored: set[str] = set()
        """Keys the view has a row for, as read (or as `hold` was told)."""
        if self.rows:
            self._read(list(self.rows))
        self.changed: set[str] = set()
        self.copied: set[str] = set()
        """Keys whose current row has a document the batch owns (copied by `editable`, or
        put by a handler, or handed over by `hold`): changed in place without a copy."""

    def load(self, keys: Iterable[str]) -> None:
        """Read the rows of keys the batch has not met yet (for its later events); a key
        it already holds, read or changed, is kept as it is."""
        new = [key for key in dict.fromkeys(keys) if key not in self.rows]
        if new:
            self.rows.update(dict.fromkeys(new))
            self._read(new)

    def _read(self, keys: list[str]) -> None:
        found = self.view.get_rows(keys)
        self.rows.update(found)
        self.stored.update(found)

    def hold(self, rows: dict[str, ViewRow], absent: Iterable[str]) -> None:
        """Rows the caller knows to be the view's as stored, handed over with their
        documents (no one else uses them any more), and keys it knows the view has no row
        for: neither is read (`ProjectionWorker` remembers them between a rebuild's
        batches). A key the batch already holds is kept as it is."""
        for key, row in rows.items():
            if key not in self.rows:
                self.rows[key] = row
                self.copied.add(key)
                self.stored.add(key)
        for key in absent:
            if key not in self.rows:
                self.rows[key] = None

    def get(self, key: str) -> ViewRow | None:
        return self.rows.get(key)

    def editable(self, key: str) -> ViewRow | None:
        """The row, with a document the caller may change in place and then `put`. The
        first call for a key in a batch copies a document as read (deeply), so the row as
        read is never changed; later calls answer that same copy, so a batch copies each
        document once rather than once per event. A row the batch itself put (or `hold`
        handed over) is its own already: it is not copied."""
        row = self.rows.get(key)
        if row is None or key in self.copied:
            return row
        row = replace(row, doc=copy_document(row.doc))
        self.rows[key] = row
        self.copied.add(key)
        return row

    def put(self, row: ViewRow) -> None:
        """Set a row; a row not already this batch's is taken as the batch's own: its
        document is made for it (as every handler's are), shared with no other row, and a
        later `editable` changes it in place."""
        self.rows[row.key] = row
        self.changed.add(row.key)
        self.copied.add(row.key)

    def delete(self, key: str) -> None:
        self.rows[key] = None
        self.changed.add(key)
        self.copied.discard(key)

    def upserts(self) -> list[ViewRow]:
        return [row for key in sorted(self.changed) if (row := self.rows[key]) is not None]

    def deletes(self) -> list[str]:
        return [key for key in sorted(self.changed) if self.rows[key] is None]

    def added(self) -> set[str]:
        """The keys of `upserts` the view had no row for when the batch began: new rows,
        as long as no one else writes the view meanwhile (a rebuild's worker)."""
        return {k for k in self.changed if k not in self.stored and self.rows[k] is not None}


class Projection(ABC):
    """A read model of the case events. `keys_for` names the rows an event may touch, so
    a batch loads them in one query."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def keys_for(self, event: CaseEvent) -> list[str]:
        """The keys of the rows this event may read or write."""

    @abstractmethod
    def handle(self, event: Any, rows: RowBatch) -> None:
        """Apply one event (a `singledispatchmethod` in each projection; events it does
        not register change nothing)."""

    def handler_for(self, event_class: type[Any]) -> Callable[[Any, RowBatch], None]:
        """What `handle` does with events of this class, bound to this projection: the
        implementation a `singledispatchmethod` dispatches to, looked up once per class
        instead of per event (each call through the descriptor binds and dispatches
        anew). Any other kind of `handle` is answered as it is."""
        descriptor = inspect.getattr_static(self, "handle")
        handle = self.handle  # (binding also applies any registrations still deferred)
        if not isinstance(descriptor, functools.singledispatchmethod):
            return handle
        implementation = descriptor.dispatcher.dispatch(event_class)
        bound: Callable[[Any, RowBatch], None] = implementation.__get__(self, type(self))
        return bound
