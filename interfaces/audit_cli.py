"""`gezinsregie audit ...`: an auditor's timeline of a case on the command line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from application.case_view_models import EventOut
from application.cases import CaseApplication
from application.clock import SystemClock
from application.errors import CaseNotFoundError
from application.inspection_run import (
    IndicatorTotals,
    UnknownMunicipalityError,
    inspect_cases,
    totals,
)
from application.reading import read_history
from application.replay import ReplayMode, replay
from domain.authorization import Role
from domain.inspection import Verdict
from interfaces.cli_reader import Actor, AsToken, cli_reader, logged_reads
from interfaces.cli_settings import MomentOption, given_moment, settings_or_exit
from interfaces.inspection_report import as_csv, as_html, as_json

audit_cli = typer.Typer(help="For auditors: replay a case as it was; inspect cases.")


class ReportFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    HTML = "html"


@audit_cli.command(name="replay")
def replay_case(
    case_id: UUID,
    as_of: MomentOption = None,
    mode: Annotated[ReplayMode, typer.Option(help="recorded or occurred")] = ReplayMode.RECORDED,
    as_token: AsToken = None,
    actor: Actor = None,
) -> None:
    """Print the case's timeline up to --as-of: when, recorded when, by whom, what; each
    field only as the reader may see it (the read is logged as an audit)."""
    settings = settings_or_exit()
    reader = cli_reader(settings, as_token, actor, None, purpose_needed=False)
    if not reader.user.has(Role.AUDITOR, Role.ADMIN):
        typer.echo("the full history is for auditors", err=True)
        raise typer.Exit(1)
    cases = CaseApplication(settings, SystemClock())
    try:
        moment = given_moment(as_of, settings, "--as-of")
        found = replay(cases, case_id, moment, mode)
        reading = read_history(reader, found, cases.clock.now(), timeline=True)
        with logged_reads(settings, cases) as log:
            log(reading.record)
    except CaseNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        cases.close()
    events = reading.view.events
    typer.echo(
        f"case {case_id}, {len(events)} events ({mode.value}"
        + (f" as of {moment:%Y-%m-%d %H:%M}" if moment else "")
        + ")"
    )
    for event in events:
        echo_event(event)


def echo_event(event: EventOut) -> None:
    name = event.event.removeprefix("gezinsregie.case.").removesuffix(".v1")
    late = " (recorded later)" if (event.recorded_at - event.occurred_at).days >= 1 else ""
    who = f"{event.actor['subject']} ({event.actor['organisation']})"
    typer.echo(f"{event.position:>4}  {event.occurred_at:%Y-%m-%d %H:%M}  {name:24} {who}{late}")
    details = ", ".join(f"{k}={v}" for k, v in event.data.items() if v not in ("", []))
    if details:
        typer.echo(f"      {details[:200]}")
    if event.withheld:
        typer.echo(f"      withheld: {', '.join(event.withheld)}")


@audit_cli.command(name="inspect")
def inspect_cases_command(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality")] = None,
    closed_from: MomentOption = None,
    closed_to: MomentOption = None,
    as_of: MomentOption = None,
    output: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.TABLE,
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """Check cases against the inspection framework: per indicator, how many meet it."""
    settings = settings_or_exit()
    since = given_moment(closed_from, settings, "--closed-from")
    until = given_moment(closed_to, settings, "--closed-to")
    cases = CaseApplication(settings, SystemClock())
    try:
        moment = given_moment(as_of, settings, "--as-of") or cases.clock.now()
        found = inspect_cases(cases, moment, municipality, since, until)
    except (ValueError, UnknownMunicipalityError) as error:
        typer.echo(str(error).strip('"'), err=True)
        raise typer.Exit(2) from None
    finally:
        cases.close()
    table = totals(found)
    title = "Toetsing aan het toetsingskader" + (f" — {municipality}" if municipality else "")
    text = {
        ReportFormat.JSON: lambda: as_json(found, table, moment),
        ReportFormat.CSV: lambda: as_csv(table),
        ReportFormat.HTML: lambda: as_html(found, table, moment, title),
        ReportFormat.TABLE: lambda: _table(table, len(found)),
    }[output]()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(found)} cases inspected; report written to {out}")


def _table(table: list[IndicatorTotals], cases: int) -> str:
    lines = [f"{cases} cases", f"{'ind.':5} {'voldoet':>8} {'verbeterpunt':>13} {'n.t.b.':>7}"]
    for t in table:
        counts = [t.counts[v] for v in Verdict]
        lines.append(f"{t.code:5} {counts[0]:>8} {counts[1]:>13} {counts[2]:>7}")
    return "\n".join(lines) + "\n"
