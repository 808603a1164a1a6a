"""The open cases that may be due for closure as inactive, read from the overview view:
the close-inactive job loads only these from the store instead of replaying every case
(a region holds 10^5-10^6 cases, most of them closed).

The view may lag behind the store; the job catches it up first. The case itself decides
(`Case.is_due_for_closure`): a candidate that is not due after all is left open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from domain.periods import CasePeriods
from projections.projection import moment
from projections.signals import inactive_since
from projections.view import DocumentView, RowFilter


def closure_candidates(
    view: DocumentView,
    as_of: datetime,
    periods_for: Callable[[str], CasePeriods],
    shortest_inactivity_days: int,
) -> list[UUID]:
    """Open cases without active help whose inactivity period has passed as of `as_of`.
    Read through the overview's index of open cases by last activity: only those quiet for
    at least the shortest inactivity period of any municipality (`shortest_inactivity_days`)
    are read, each then checked against its own municipality's period."""
    quiet_since = moment(as_of - timedelta(days=shortest_inactivity_days))
    open_and_quiet = RowFilter(
        kind="case", doc=(("status", "open"),), at_most=(("last_activity_at", quiet_since),)
    )
    return [
        UUID(row.case_id)
        for row in view.select_rows(open_and_quiet)
        if (since := inactive_since(row.doc)) is not None
        and periods_for(row.municipality).inactive_long_enough(since, as_of)
    ]
