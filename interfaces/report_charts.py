"""PNG charts of a report for people who would rather look than read: inflow per month,
the distribution of waiting days, referrals by destination. Drawn from the report's own
tables, after suppression, so a chart never shows what the tables hide; a suppressed cell
is drawn as suppressed (hatched, '<K'), never as 0, which would read as 'none'. In Dutch,
for the council reader: the period and the place in every title, axes named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from domain.vocabulary import ReferralDestination
from projections.report_labels import dutch, dutch_day, dutch_month
from projections.report_table import Cell, Count, Report, Suppressed, Table

PNG_METADATA = {"Software": None}
"""No library version in the file: the same report draws the same bytes on one install."""
HATCH = "///"
SUPPRESSED_GREY = "#6b6b6b"


@dataclass(frozen=True)
class Series:
    label: str
    cells: Sequence[Cell]
    colour: str


def _rows(table: Table, column: int = 1) -> tuple[list[str], list[Cell]]:
    """Row labels and one column's cells, without the total row."""
    rows = [row for row in table.rows if row[0] != "total"]
    return [str(row[0]) for row in rows], [row[column] for row in rows]


def title(what: str, parameters: dict[str, object]) -> str:
    """What the chart shows, then where and when: 'gemeente X, team Y, 1 januari 2026 t/m …'."""
    municipality, team = parameters.get("municipality"), parameters.get("team")
    place = f"gemeente {municipality}" if municipality else "alle gemeenten"
    if team:
        place += f", team {team}"
    first, last = (date.fromisoformat(str(parameters[key])) for key in ("from", "to"))
    return f"{what}\n{place}, {dutch_day(first)} t/m {dutch_day(last)}"


def suppressed_note(below: int) -> str:
    return (
        f"Gearceerd met '<{below}': onderdrukt, minder dan {below} maar niet 0 "
        "(kleine aantallen worden niet getoond). Geen staaf en geen arcering: 0."
    )


def _bars(axes: Axes, series: Sequence[Series], horizontal: bool, below: int) -> None:
    """Side by side per category, a bar per series for its counts; where a count is
    suppressed, a hatched outline marked '<below' instead."""
    draw = axes.barh if horizontal else axes.bar
    width = 0.8 / len(series)
    for number, each in enumerate(series):
        shift = (number - (len(series) - 1) / 2) * width
        at = [position + shift for position in range(len(each.cells))]
        shown = [(p, c.n) for p, c in zip(at, each.cells, strict=True) if isinstance(c, Count)]
        hidden = [p for p, c in zip(at, each.cells, strict=True) if isinstance(c, Suppressed)]
        draw([p for p, _ in shown], [n for _, n in shown], width, color=each.colour)
        _suppressed(axes, hidden, width, each.colour, horizontal, below)
    value_axis = axes.xaxis if horizontal else axes.yaxis
    value_axis.set_major_locator(MaxNLocator(integer=True))
    if horizontal:  # room for the '<K' marks
        axes.margins(x=0.12)
    else:
        axes.margins(y=0.12)


def _suppressed(
    axes: Axes, at: list[float], width: float, colour: str, horizontal: bool, below: int
) -> None:
    """No bar: an outline up to `below`, hatched and dashed, marked '<below'."""
    draw = axes.barh if horizontal else axes.bar
    outline = [below] * len(at)
    draw(
        at,
        outline,
        width,
        fill=False,
        hatch=HATCH,
        edgecolor=colour,
        linestyle="--",
        gid="suppressed",
    )
    for p in at:
        xy, offset = ((below, p), (3, 0)) if horizontal else ((p, below), (0, 2))
        axes.annotate(
            f"<{below}",
            xy,
            xytext=offset,
            textcoords="offset points",
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
            fontsize=8,
            color=SUPPRESSED_GREY,
        )


def _legend(axes: Axes, series: Sequence[Series], below: int, suppressed: bool) -> None:
    handles = [Patch(color=each.colour, label=each.label) for each in series if len(series) > 1]
    if suppressed:
        label = f"onderdrukt: minder dan {below}"
        handles.append(Patch(fill=False, hatch=HATCH, edgecolor=SUPPRESSED_GREY, label=label))
    if handles:
        axes.legend(handles=handles, fontsize=8)


def chart(
    report: Report,
    what: str,
    categories: Sequence[str],
    series: Sequence[Series],
    axis_labels: tuple[str, str],
    horizontal: bool = False,
) -> Figure:
    """One bar chart: categories along one axis, counts along the other, in the report's
    order (top to bottom when horizontal)."""
    below = int(report.parameters.get("min_cell") or 1)
    figure, axes = plt.subplots(figsize=(8, 5 if horizontal else 4.5))
    _bars(axes, series, horizontal, below)
    suppressed = any(isinstance(cell, Suppressed) for each in series for cell in each.cells)
    positions = list(range(len(categories)))
    if horizontal:
        axes.set_yticks(positions, categories)
        axes.invert_yaxis()
    else:
        axes.set_xticks(positions, categories, rotation=45 if len(categories) > 7 else 0)
    axes.set_xlabel(axis_labels[0])
    axes.set_ylabel(axis_labels[1])
    axes.set_title(title(what, report.parameters), fontsize=11)
    _legend(axes, series, below, suppressed)
    if below > 1:
        figure.text(0.01, 0.01, suppressed_note(below), fontsize=7, color=SUPPRESSED_GREY)
    figure.tight_layout(rect=(0, 0.04 if below > 1 else 0, 1, 1))
    return figure


def draw_charts(report: Report) -> dict[str, Figure]:
    """Each chart by the name of its file."""
    months, inflow = _rows(report.table("inflow_by_month"))
    waits = report.table("waiting_days_distribution")
    bins, referrals = _rows(waits, 1)
    families = _rows(waits, 2)[1]
    destinations, entries = _rows(report.table("referrals_by_destination"))
    return {
        "inflow_per_month.png": chart(
            report,
            "Meldingen per maand",
            [dutch_month(m) for m in months],
            [Series("meldingen", inflow, "#3b6ea8")],
            ("Maand van de melding", "Aantal meldingen"),
        ),
        "waiting_days.png": chart(
            report,
            "Wachttijd in dagen",
            bins,
            [
                Series("verwijzing: aanvraag tot start zorg", referrals, "#3b6ea8"),
                Series("wachtlijst: plaatsing tot gezinscoach", families, "#d08a2e"),
            ],
            ("Dagen gewacht", "Aantal verwijzingen of gezinnen"),
        ),
        "referrals_by_destination.png": chart(
            report,
            "Verwijzingen per bestemming",
            [dutch(ReferralDestination, d) for d in destinations],
            [Series("verwijzingen", entries, "#5a9e6f")],
            ("Aantal verwijzingen (aangevraagd in de periode)", "Bestemming"),
            horizontal=True,
        ),
    }


def write_charts(report: Report, directory: Path) -> list[Path]:
    written = []
    for name, figure in draw_charts(report).items():
        path = directory / name
        figure.savefig(path, format="png", dpi=100, metadata=PNG_METADATA)
        plt.close(figure)
        written.append(path)
    return written
