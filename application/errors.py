"""Application failures that are not domain rules: a missing case, a concurrent change."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import PersistenceError


class CaseNotFoundError(Exception):
    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"there is no case {case_id}")
        self.case_id = case_id


class ConcurrentChangeError(Exception):
    """Someone else changed the case since it was read; nothing of this command was stored."""

    rule = "no-concurrent-change"

    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"case {case_id} was changed concurrently; read it again and retry")
        self.case_id = case_id


class StoreUnavailableError(PersistenceError):
    """The database cannot be reached now (down, restarting, or every connection busy):
    nothing was stored; try again shortly. The library's recorders do not retry it."""

    retry_after_seconds = 2
