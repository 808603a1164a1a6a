"""A report written as Markdown, CSV or JSON: the same tables, the same digits, and the
same bytes for the same report (keys sorted, rows in the report's order, no timestamps)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from projections.report_table import Cell, Count, Report, Stat, Suppressed, Table

FORMATS = ("md", "csv", "json")


def text(cell: Cell) -> str:
    """A cell as people read it: '-' where there is nothing to show, '<K' if suppressed."""
    if isinstance(cell, Count):
        return str(cell.n)
    if isinstance(cell, Stat):
        return "-" if cell.value is None else str(cell.value)
    if isinstance(cell, Suppressed):
        return f"<{cell.below}"
    return cell


def plain(cell: Cell) -> Any:
    """A cell as a JSON value: numbers as numbers, suppressed cells as '<K'."""
    if isinstance(cell, Count):
        return cell.n
    if isinstance(cell, Stat):
        if cell.value is None:
            return None
        return int(cell.value) if cell.value == cell.value.to_integral() else float(cell.value)
    return text(cell)


def as_json(report: Report) -> str:
    """Each table's rows as objects keyed by column id."""
    document = {
        "report": report.title,
        "parameters": report.parameters,
        "notes": list(report.notes),
        "tables": [
            {
                "name": table.name,
                "title": table.title,
                "note": table.note,
                "columns": _ids(table),
                "rows": [
                    dict(zip(_ids(table), map(plain, row), strict=True)) for row in table.rows
                ],
            }
            for table in report.tables
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _ids(table: Table) -> list[str]:
    return [column for column, _ in table.columns]


def as_csv(report: Report) -> str:
    """One long table: report table, row label, column, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    for table in report.tables:
        for row in table.rows:
            label, *cells = row
            for (column, _), cell in zip(table.columns[1:], cells, strict=True):
                writer.writerow([table.name, text(label), column, text(cell)])
    return out.getvalue()


def as_markdown(report: Report) -> str:
    p = report.parameters
    place = " / ".join(str(v) for v in (p.get("municipality"), p.get("team")) if v) or "all"
    lines = [
        f"# {report.title}",
        "",
        f"Period {p['from']} to {p['to']} ({p['timezone']}); municipality/team: {place}.",
    ]
    if p.get("min_cell"):
        lines.append(f"Cells under {p['min_cell']} are suppressed (shown as <{p['min_cell']}).")
    lines += ["", *(f"- {note}" for note in report.notes)]
    for table in report.tables:
        lines += ["", f"## {table.title}", ""]
        lines.append("| " + " | ".join(label for _, label in table.columns) + " |")
        lines.append("|" + "|".join(["---", *["---:"] * (len(table.columns) - 1)]) + "|")
        lines += ["| " + " | ".join(text(cell) for cell in row) + " |" for row in table.rows]
        if table.note:
            lines += ["", f"_{table.note}_"]
    return "\n".join(lines) + "\n"


def render(report: Report, form: str) -> str:
    return {"md": as_markdown, "csv": as_csv, "json": as_json}[form](report)
