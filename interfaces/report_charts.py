"""PNG charts of a report for people who would rather look than read: inflow per month,
the distribution of waiting days, referrals by destination. Drawn from the report's own
tables, after suppression, so a chart never shows what the tables hide."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from projections.report_table import Count, Report, Table

PNG_METADATA = {"Software": None}
"""No library version in the file: the same report draws the same bytes on one install."""


def _counts(table: Table, column: int = 1) -> tuple[list[str], list[int]]:
    """Row labels and counts, without the total row; a suppressed count is drawn as 0."""
    rows = [row for row in table.rows if row[0] != "total"]
    cells = [row[column] for row in rows]
    values = [cell.n if isinstance(cell, Count) else 0 for cell in cells]
    return [str(row[0]) for row in rows], values


def _save(figure: Figure, path: Path, suppressed: bool) -> Path:
    if suppressed:
        figure.text(0.01, 0.01, "small cells suppressed (drawn as 0)", fontsize=7)
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100, metadata=PNG_METADATA)
    plt.close(figure)
    return path


def write_charts(report: Report, directory: Path) -> list[Path]:
    suppressed = bool(report.parameters.get("min_cell"))
    written = []

    months, inflow = _counts(report.table("inflow_by_month"))
    figure, axes = plt.subplots(figsize=(8, 4))
    axes.bar(months, inflow, color="#3b6ea8")
    axes.set_title("Meldingen per month")
    axes.tick_params(axis="x", labelrotation=45)
    written.append(_save(figure, directory / "inflow_per_month.png", suppressed))

    waits = report.table("waiting_days_distribution")
    bins, referrals = _counts(waits, 1)
    _, families = _counts(waits, 2)
    figure, axes = plt.subplots(figsize=(8, 4))
    positions = range(len(bins))
    axes.bar([p - 0.2 for p in positions], referrals, width=0.4, label="referral to care start")
    axes.bar([p + 0.2 for p in positions], families, width=0.4, label="waitlist to coach")
    axes.set_xticks(list(positions), bins)
    axes.set_xlabel("days waited")
    axes.set_title("Waiting time distribution")
    axes.legend()
    written.append(_save(figure, directory / "waiting_days.png", suppressed))

    destinations, entries = _counts(report.table("referrals_by_destination"))
    figure, axes = plt.subplots(figsize=(8, 5))
    axes.barh(destinations[::-1], entries[::-1], color="#5a9e6f")
    axes.set_title("Referrals by destination")
    written.append(_save(figure, directory / "referrals_by_destination.png", suppressed))
    return written
