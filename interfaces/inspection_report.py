"""The inspection table as inspectors publish it (per indicator, how many cases meet it),
as JSON, CSV, and an HTML report with the per-case details for people who do not read JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from html import escape
from typing import Any

from application.inspection_run import CaseInspection, IndicatorTotals
from domain.inspection import IndicatorResult, Verdict

VERDICTS = list(Verdict)


def result_dict(result: IndicatorResult) -> dict[str, Any]:
    return {
        "code": result.code,
        "theme": result.theme.value,
        "rule": result.rule,
        "verdict": result.verdict.value,
        "explanation": result.explanation,
        "evidence": [{"position": e.position, "event": e.topic} for e in result.evidence],
    }


def as_json(
    inspections: list[CaseInspection], table: list[IndicatorTotals], as_of: datetime
) -> str:
    body = {
        "as_of": as_of.isoformat(),
        "cases": len(inspections),
        "indicators": [
            {
                "code": t.code,
                "theme": t.theme,
                "rule": t.rule,
                **{v.value: t.counts[v] for v in VERDICTS},
            }
            for t in table
        ],
        "per_case": [
            {
                "case_id": str(i.case_id),
                "municipality": i.municipality,
                "results": [result_dict(r) for r in i.results],
            }
            for i in inspections
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def as_csv(table: list[IndicatorTotals]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "theme", "rule", *[v.value for v in VERDICTS]])
    for t in table:
        writer.writerow([t.code, t.theme, t.rule, *[t.counts[v] for v in VERDICTS]])
    return out.getvalue()


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 70rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f3f7; } td.n { text-align: right; }
.voldoet { background: #e3f4e1; } .verbeterpunt { background: #fde8e4; }
.niet { background: #f3f3f3; color: #555; } .ev { font-size: .85em; color: #555; }
"""


def _class(verdict: Verdict) -> str:
    return verdict.value.split(" ")[0]


def as_html(
    inspections: list[CaseInspection], table: list[IndicatorTotals], as_of: datetime, title: str
) -> str:
    rows = "".join(
        f"<tr><td>{escape(t.code)}</td><td>{escape(t.theme)}</td><td>{escape(t.rule)}</td>"
        + "".join(f'<td class="n">{t.counts[v]}</td>' for v in VERDICTS)
        + "</tr>"
        for t in table
    )
    head = "".join(f"<th>{escape(v.value)}</th>" for v in VERDICTS)
    cases = "".join(_case_section(i) for i in inspections)
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{len(inspections)} casussen, beoordeeld naar de stand "
        f"van {as_of:%d-%m-%Y %H:%M} (UTC). Per indicator: hoeveel casussen voldoen, een "
        f"verbeterpunt hebben, of niet te beoordelen zijn uit de dossiergeschiedenis.</p>"
        f"<table><tr><th>Indicator</th><th>Thema</th><th>Norm</th>{head}</tr>{rows}</table>"
        f"<h2>Per casus</h2>{cases}</body></html>\n"
    )


def _case_section(inspection: CaseInspection) -> str:
    rows = "".join(
        f'<tr class="{_class(r.verdict)}"><td>{escape(r.code)}</td>'
        f"<td>{escape(r.verdict.value)}</td><td>{escape(r.explanation)}"
        + (
            f'<div class="ev">gebeurtenissen: '
            f"{escape(', '.join(f'#{e.position} {e.topic}' for e in r.evidence))}</div>"
            if r.evidence
            else ""
        )
        + "</td></tr>"
        for r in inspection.results
    )
    return (
        f"<h3>Casus {escape(str(inspection.case_id))} ({escape(inspection.municipality)})"
        f"</h3><table><tr><th>Indicator</th><th>Oordeel</th><th>Toelichting en bewijs</th>"
        f"</tr>{rows}</table>"
    )
