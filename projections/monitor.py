"""The municipality's monitor: inflow, conversations and time, problems, referrals, the
waitlist, closures and caseload, computed from the report view's rows alone. The same rows
give the same report, digit for digit; cases and coaches appear only as counts or as
pseudonyms that cannot be traced back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from projections.monitor_cases import CaseFacts, CoachNames
from projections.monitor_closures import caseload_table, closure_tables
from projections.monitor_inflow import inflow_tables, problem_table
from projections.monitor_referrals import referral_tables, waiting_distribution, waitlist_table
from projections.monitor_time import time_tables
from projections.report_period import ReportPeriod
from projections.report_table import Report
from projections.view import DocumentView, RowFilter

MONITOR_TITLE = "Monitor gezinsregie"


@dataclass(frozen=True)
class MonitorOptions:
    period: ReportPeriod
    municipality: str | None = None
    team: str | None = None
    outlier_fence: Decimal = Decimal(3)
    """Cases above Q3 + this x IQR of minutes per case are set apart as outliers."""
    return_days: int = 365
    """A family returns when a linked new case opens this soon after the earlier closed."""
    norm_per_fte: int = 10
    fte: Mapping[str, float] = field(default_factory=dict)

    def parameters(self) -> dict[str, Any]:
        return {
            "from": self.period.first_day.isoformat(),
            "to": self.period.last_day.isoformat(),
            "timezone": self.period.timezone,
            "municipality": self.municipality,
            "team": self.team,
            "outlier_fence": str(self.outlier_fence),
            "return_days": self.return_days,
            "norm_per_fte": self.norm_per_fte,
        }


def monitor(view: DocumentView, options: MonitorOptions) -> Report:
    """The monitor for the options' period and place, from the view as it stands."""
    where = RowFilter(kind="case", municipality=options.municipality, team=options.team)
    period = options.period
    cases = [CaseFacts(row, period) for row in view.select_rows(where)]
    cases = [c for c in cases if c.opened_at < period.ends_at]
    by_key = {c.row.key: c for c in cases}

    def previous(case_id: str) -> CaseFacts | None:
        if case_id in by_key:
            return by_key[case_id]
        rows = view.get_rows([case_id])
        return CaseFacts(rows[case_id], period) if case_id in rows else None

    names = CoachNames(cases)
    open_cases = [c for c in cases if c.open_during_period]
    tables = [
        *inflow_tables(cases, period),
        *time_tables(cases, names, options.outlier_fence),
        problem_table(open_cases),
        *referral_tables(cases, period),
        waitlist_table(cases, period),
        waiting_distribution(cases, period),
        *closure_tables(cases, period, previous, options.return_days),
        caseload_table(cases, names, options.norm_per_fte, options.fte),
    ]
    notes = (
        "Computed from the case events alone; every figure covers the period's local days.",
        "Coaches are numbered by their first coaching in these cases; no names are shown.",
    )
    return Report(MONITOR_TITLE, options.parameters(), tuple(tables), notes)
