"""`gezinsregie report monitor`: the municipality's monitor for a period, from the events.

The report view is brought up to date first (with a progress bar when far behind), so
the figures cover every event recorded before the command started."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from application.cases import CaseApplication
from application.clock import SystemClock
from application.settings import Settings
from interfaces.cli_settings import settings_or_exit
from interfaces.report_charts import write_charts
from interfaces.report_formats import render
from interfaces.view_catch_up import view_up_to_date
from projections.monitor import MonitorOptions, monitor
from projections.report_period import ReportPeriod
from projections.report_table import Report, suppress_small_cells

report_cli = typer.Typer(help="Reports for the municipality, rebuilt from the event history.")


class Format(StrEnum):
    MD = "md"
    CSV = "csv"
    JSON = "json"


def compute_monitor(settings: Settings, options: MonitorOptions) -> Report:
    """Bring the report view up to date with the store, then compute from it."""
    cases = CaseApplication(settings, SystemClock())
    try:
        with view_up_to_date(settings, cases, "report") as opened:
            return monitor(opened.view, options)
    finally:
        cases.close()


@report_cli.command(name="monitor")
def monitor_command(
    first_day: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    last_day: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    municipality: Annotated[str | None, typer.Option(help="Only this municipality")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team")] = None,
    form: Annotated[Format, typer.Option("--format", help="Printed without --out")] = Format.MD,
    out: Annotated[
        Path | None,
        typer.Option(help="Write monitor.md, .csv, .json and PNG charts into this folder"),
    ] = None,
    min_cell: Annotated[
        int, typer.Option(min=1, help="Suppress counts and figures resting on fewer cases")
    ] = 1,
    outlier_fence: Annotated[
        float, typer.Option(min=0, help="Outliers: minutes per case above Q3 + F x IQR")
    ] = 3.0,
    return_days: Annotated[
        int, typer.Option(min=0, help="A linked new case within this many days is a return")
    ] = 365,
) -> None:
    """Inflow, conversations and time, problems, referrals, waitlist, closures, caseload."""
    settings = settings_or_exit()
    try:
        period = ReportPeriod(first_day.date(), last_day.date(), settings.report_timezone)
    except ValueError as error:
        typer.echo(f"--from/--to: {error}", err=True)
        raise typer.Exit(2) from None
    options = MonitorOptions(
        period,
        municipality,
        team,
        outlier_fence=Decimal(str(outlier_fence)),
        return_days=return_days,
        norm_per_fte=settings.caseload_norm_per_fte,
        fte=settings.coach_fte,
    )
    report = suppress_small_cells(compute_monitor(settings, options), min_cell)
    if out is None:
        typer.echo(render(report, form.value), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for each in Format:
        (out / f"monitor.{each.value}").write_text(render(report, each.value), encoding="utf-8")
    charts = write_charts(report, out)
    typer.echo(f"wrote monitor.md, monitor.csv, monitor.json and {len(charts)} charts to {out}")
