"""The overview's entry of each case, remembered with the document text and the minute it
was computed for.

Reading a municipality's overview decodes and computes every open case (~3,000 of 10,000:
most of a half-second read). After one write only one document has a new text, so the next
read computes that case again and takes the others from here; a new minute computes all
of them again (days waiting and signals run on the clock), from documents already decoded.
Entries are shared between reads: a reader copies before changing one. The overview holds
no personal data (parties and dates only), so nothing erased lingers here."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from projections.view import EncodedRow

Entry = dict[str, Any]
ComputeEntry = Callable[[str, str, dict[str, Any], datetime], Entry | None]
"""(municipality, team, document, as of) -> the case's entry, or None if it is not shown."""

SIZE = 200_000
"""Cases remembered (the least recently read forgotten first): a region's open cases."""


class OverviewEntries:
    def __init__(self, size: int = SIZE) -> None:
        self._remembered: OrderedDict[str, tuple[str, datetime, dict[str, Any], Entry | None]]
        self._remembered = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def entries(
        self, rows: Iterable[EncodedRow], as_of: datetime, compute: ComputeEntry
    ) -> list[Entry]:
        """The entries of these rows as of the minute of `as_of`, in the rows' order."""
        minute = as_of.replace(second=0, microsecond=0)
        found = []
        for row in rows:
            entry = self._entry(row, minute, compute)
            if entry is not None:
                found.append(entry)
        return found

    def _entry(self, row: EncodedRow, minute: datetime, compute: ComputeEntry) -> Entry | None:
        with self._lock:
            known = self._remembered.get(row.key)
            if known is not None:
                self._remembered.move_to_end(row.key)
        if known is not None and known[0] == row.doc:
            _, at, doc, entry = known
            if at == minute:
                return entry
        else:
            doc = json.loads(row.doc)
        entry = compute(row.municipality, row.team, doc, minute)
        with self._lock:
            self._remembered[row.key] = (row.doc, minute, doc, entry)
            self._remembered.move_to_end(row.key)
            while len(self._remembered) > self.size:
                self._remembered.popitem(last=False)
        return entry
