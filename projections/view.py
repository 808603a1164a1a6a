"""A read model's storage: rows of JSON documents plus the tracking position of the
upstream application, always written in one transaction (exactly-once across crashes).

Written once against this interface; `sqlite_view.py` and `postgres_view.py` implement it."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder


@dataclass(frozen=True)
class ViewRow:
    """One row of a view: a document, with the columns that views filter on."""

    key: str
    case_id: str
    municipality: str
    team: str
    kind: str
    doc: dict[str, Any]

    def encoded(self) -> tuple[str, str, str, str, str, str]:
        doc = json.dumps(self.doc, sort_keys=True, separators=(",", ":"))
        return (self.key, self.case_id, self.municipality, self.team, self.kind, doc)

    @classmethod
    def decoded(cls, row: Any) -> ViewRow:
        doc = row["doc"]
        return cls(
            key=row["key"],
            case_id=row["case_id"],
            municipality=row["municipality"],
            team=row["team"],
            kind=row["kind"],
            doc=json.loads(doc) if isinstance(doc, str) else doc,
        )


class EncodedRow(NamedTuple):
    """A row as stored: its document still JSON text (a reader that remembers what it
    computed from a text need not decode it again)."""

    key: str
    case_id: str
    municipality: str
    team: str
    kind: str
    doc: str


@dataclass(frozen=True)
class RowFilter:
    kind: str | None = None
    municipality: str | None = None
    team: str | None = None
    case_id: str | None = None
    doc: tuple[tuple[str, str], ...] = ()
    """Top-level fields of the document that must equal these texts (e.g. a coach), so
    that the database leaves out what would only be decoded to be dropped."""
    at_most: tuple[tuple[str, Any], ...] = ()
    """Top-level fields whose JSON values must be at most these (a moment: not after it)."""
    unless: tuple[str, ...] = ()
    """Top-level boolean fields of the document that must not be true (absent is false)."""
    current: bool = False
    """Only documents whose `status` is open or that hold `erasure_requests`: the cases
    the overview shows."""
    order: tuple[str, ...] = ()
    """Top-level document fields the rows are ordered by (as JSON values), before the key."""
    after: tuple[Any, ...] | None = None
    """Keyset paging: only rows after these values of (`order`..., key)."""
    limit: int | None = None
    """At most this many rows (the first in order)."""

    def clauses(self) -> list[tuple[str, str]]:
        """The filter's columns and the values they must equal."""
        columns = (
            ("kind", self.kind),
            ("municipality", self.municipality),
            ("team", self.team),
            ("case_id", self.case_id),
        )
        return [(name, value) for name, value in columns if value is not None]


class Spread(NamedTuple):
    """How one field's values spread over a group of rows: how many, the lowest, and the
    middle two in order (the same row's twice for an odd count), from which a median is
    taken as `statistics.median` takes it."""

    group: tuple[Any, ...]
    size: int
    lowest: Any
    middle: tuple[Any, Any]


SPREAD_WINDOWS = (
    "SELECT * FROM (SELECT {groups}, value,"
    " row_number() OVER (PARTITION BY {groups} ORDER BY value) AS i,"
    " count(*) OVER (PARTITION BY {groups}) AS n FROM ({rows}) AS grouped"
    " WHERE value IS NOT NULL) AS numbered"
    " WHERE i = 1 OR i = (n + 1) / 2 OR i = n / 2 + 1 ORDER BY {groups}, i"
)
"""The rows `Spread` is made of, in both stores' SQL: per group, the first in order and the
middle ones (`rows` selects the group fields `g0`, `g1`... and `value`)."""


def spreads(found: Sequence[Any], width: int) -> list[Spread]:
    """`Spread`s from the rows of `SPREAD_WINDOWS` (each: the group's fields, value, i, n)."""
    by_group: dict[tuple[Any, ...], dict[int, Any]] = {}
    counts: dict[tuple[Any, ...], int] = {}
    for row in found:
        group = tuple(row[:width])
        value, i, n = row[width:]
        by_group.setdefault(group, {})[i] = value
        counts[group] = n
    return [
        Spread(group, n, values[1], (values[(n + 1) // 2], values[n // 2 + 1]))
        for group, values in by_group.items()
        for n in (counts[group],)
    ]


REBUILDING = ":rebuild"
"""A rebuild tracks its position under the upstream's name with this suffix (and, split
over processes, each partition under that name plus `:p<i>of<n>`)."""


def under(prefix: str, name: str) -> bool:
    """Whether a tracking name is `prefix` or one of its partitions (`prefix:...`)."""
    return name == prefix or name.startswith(f"{prefix}:")


class DocumentView(TrackingRecorder, ABC):
    """The storage interface every projection writes to."""

    @abstractmethod
    def get_rows(self, keys: Collection[str]) -> dict[str, ViewRow]:
        """The current rows for these keys (absent keys are missing from the result)."""

    @abstractmethod
    def write(
        self,
        upserts: Sequence[ViewRow],
        deletes: Sequence[str],
        tracking: Tracking,
        after: int,
        added: Collection[str] = (),
    ) -> None:
        """Apply changes computed from the view at position `after`, and advance the
        position to `tracking`, in one transaction. Raises IntegrityError, applying
        nothing, if the view is no longer at `after` (another writer, a rebuild).
        `added`: keys of upserts the caller knows to have no row (a store may insert
        them without looking for one)."""

    @staticmethod
    def check_still_at(recorded: int | None, after: int, tracking: Tracking) -> None:
        if (recorded or 0) != after or tracking.notification_id <= after:
            raise IntegrityError(
                f"view moved to {recorded or 0} since it was read at {after}; "
                f"batch up to {tracking.notification_id} not applied"
            )

    @abstractmethod
    def select_encoded(self, where: RowFilter) -> list[EncodedRow]:
        """Rows matching the filter, ordered by its `order` fields and key, their documents
        as JSON text."""

    def select_rows(self, where: RowFilter) -> list[ViewRow]:
        """Rows matching the filter, in order."""
        return [ViewRow.decoded(row._asdict()) for row in self.select_encoded(where)]

    @abstractmethod
    def count_by(self, where: RowFilter, field: str) -> dict[str, int]:
        """How many rows matching the filter hold each value of the document's top-level
        `field` (rows without one are not counted), counted by the database.

        With `where.limit`, only the first values in order after `where.after` (a 1-tuple
        of a value): a page of the counts, each value found by one step through an index
        on the field rather than by counting every row (a skip scan)."""

    @abstractmethod
    def spread_by(self, where: RowFilter, groups: tuple[str, ...], field: str) -> list[Spread]:
        """Per value of the document's top-level `groups` fields, how the top-level `field`
        spreads over the rows matching the filter (ordered as JSON values, as pages are;
        rows without the field are not counted): computed by the database, which sends a
        few rows per group, not every row."""

    @abstractmethod
    def next_version(self, upstream: str) -> DocumentView:
        """An empty next version of the view beside this one, its position tracked as
        `upstream` or under it, by partition (a rebuild fills it while this one serves);
        every position tracked under `upstream` is forgotten."""

    @abstractmethod
    def building(self) -> DocumentView:
        """The next version as it is (made by `next_version`, perhaps partly filled): what
        each process of a rebuild split by case writes to, and what a resumed one goes on
        filling."""

    @abstractmethod
    def tracked_under(self, prefix: str) -> dict[str, int]:
        """The positions tracked as `prefix` or under it (`prefix:...`), by name."""

    @abstractmethod
    def promote(self, built: DocumentView, upstream: str, built_upstream: str) -> None:
        """Make `built` this view, and its position (tracked as `built_upstream`, or by each
        partition under it, all at the same position) this view's position for `upstream`,
        in one transaction. Raises IntegrityError, changing nothing, if the partitions'
        positions differ (one has not finished)."""

    def ready(self) -> None:
        """Make what a filled next version lacks before it serves (its indexes, where a
        store builds them once the rows are in): a rebuild calls it, catches up with the
        events recorded meanwhile, then promotes."""

    @abstractmethod
    def abandon(self, built: DocumentView, built_upstream: str) -> None:
        """Drop a next version that will not be promoted (an interrupted rebuild), and
        every position tracked under `built_upstream`."""

    @staticmethod
    def one_position(tracked: dict[str, int], built_upstream: str) -> str | None:
        """The name whose tracking row becomes the view's when `built` is promoted (None for
        a rebuild that saw no events); all partitions must be at the same position."""
        if len(set(tracked.values())) > 1:
            raise IntegrityError(f"{built_upstream}: partitions at different positions {tracked}")
        return min(tracked) if tracked else None

    def rebuilding(self, upstream: str) -> int | None:
        """The position of a rebuild under way beside this view, if there is one (split by
        case: the position of the partition furthest behind)."""
        tracked = self.tracked_under(f"{upstream}{REBUILDING}")
        return min(tracked.values()) if tracked else None

    def position(self, upstream: str) -> int:
        return self.max_tracking_id(upstream) or 0
