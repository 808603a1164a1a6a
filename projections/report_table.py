"""A report as tables of cells that know what they rest on, so small cells can be
suppressed for publication in one place, whatever the format it is written in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Count:
    """A number of cases or facts: itself the size of the group it describes."""

    n: int


@dataclass(frozen=True)
class Stat:
    """A figure (sum, mean, median...) over `over` cases or facts; None when there are none."""

    value: Decimal | None
    over: int


@dataclass(frozen=True)
class Suppressed:
    """A cell left out because it rests on fewer than `below` cases or facts."""

    below: int


Cell = str | Count | Stat | Suppressed


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[tuple[str, str], ...]
    """(id, label) per column; the first column labels the rows."""
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Report:
    title: str
    parameters: dict[str, Any]
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = field(default=())

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def small(cell: Cell, below: int) -> bool:
    if isinstance(cell, Count):
        return 0 < cell.n < below
    if isinstance(cell, Stat):
        return cell.value is not None and 0 < cell.over < below
    return False


def suppress_small_cells(report: Report, below: int) -> Report:
    """Every count under `below` (but not zero) and every figure resting on fewer than
    `below` cases becomes `Suppressed`; labels and totals of larger groups stay."""
    if below <= 1:
        return report

    def cell(value: Cell) -> Cell:
        return Suppressed(below) if small(value, below) else value

    tables = tuple(
        replace(t, rows=tuple(tuple(cell(c) for c in row) for row in t.rows)) for t in report.tables
    )
    parameters = {**report.parameters, "min_cell": below}
    return replace(report, tables=tables, parameters=parameters)
