"""The open cases that may be due for closure as inactive, read from the overview view:
the close-inactive job loads only these from the store instead of replaying every case
(a region holds 10^5-10^6 cases, most of them closed).

The view may lag behind the store; the job catches it up first. The case itself decides
(`Case.is_due_for_closure`): a candidate that is not due after all is left open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from domain.periods import CasePeriods
from projections.signals import inactive_since
from projections.view import DocumentView, RowFilter


def closure_candidates(
    view: DocumentView, as_of: datetime, periods_for: Callable[[str], CasePeriods]
) -> list[UUID]:
    """Open cases without active help whose inactivity period has passed as of `as_of`."""
    open_cases = view.select_rows(RowFilter(kind="case", doc=(("status", "open"),)))
    return [
        UUID(row.case_id)
        for row in open_cases
        if (since := inactive_since(row.doc)) is not None
        and periods_for(row.municipality).inactive_long_enough(since, as_of)
    ]
