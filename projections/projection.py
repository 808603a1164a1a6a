"""A projection turns case events into view rows. Handlers are chosen by event type
(singledispatchmethod) and work on a batch-local set of rows, written with the batch."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from domain.case_event import CaseEvent
from projections.view import DocumentView, ViewRow


class RowBatch:
    """The rows a batch of events reads and changes; written at the end in one go."""

    def __init__(self, view: DocumentView, keys: Iterable[str]) -> None:
        self.rows: dict[str, ViewRow | None] = dict.fromkeys(keys)
        self.rows.update(view.get_rows(list(self.rows)))
        self.changed: set[str] = set()

    def get(self, key: str) -> ViewRow | None:
        return self.rows.get(key)

    def put(self, row: ViewRow) -> None:
        self.rows[row.key] = row
        self.changed.add(row.key)

    def delete(self, key: str) -> None:
        self.rows[key] = None
        self.changed.add(key)

    def upserts(self) -> list[ViewRow]:
        return [row for key in sorted(self.changed) if (row := self.rows[key]) is not None]

    def deletes(self) -> list[str]:
        return [key for key in sorted(self.changed) if self.rows[key] is None]


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
