"""`gezinsregie access-log export`: the access log as NDJSON in the shape of the Logboek
Dataverwerkingen, for a municipality's own logbook or a privacy officer's inquiry."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from application.access_log import AccessQuery, open_access_log
from application.logboek import logboek_lines
from interfaces.cli_settings import settings_or_exit

access_log_cli = typer.Typer(help="Who read which family's data: export for a logbook.")
EXPORT_LIMIT = 1_000_000


@access_log_cli.command()
def export(
    first: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day")],
    last: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day")],
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: stdout)")] = None,
) -> None:
    """Every read from the first day to the last (UTC, inclusive): a line per data subject
    per read, with trace_id, span_id, parent_span_id, status_code and the attributes
    dpl.core.processing_activity_id, dpl.core.data_subject_id and NEN 7513's user, role and
    purpose of use."""
    if last < first:
        typer.echo("--to lies before --from", err=True)
        raise typer.Exit(2)
    since = datetime.combine(first.date(), time(), UTC)
    until = datetime.combine(last.date(), time.max, UTC)
    log = open_access_log(settings_or_exit())
    try:
        records = log.find(AccessQuery(since=since, until=until, limit=EXPORT_LIMIT))
    finally:
        log.close()
    lines = (json.dumps(line, ensure_ascii=False) + "\n" for line in logboek_lines(records))
    if out is None:
        sys.stdout.writelines(lines)
    else:
        with out.open("w", encoding="utf-8") as file:
            file.writelines(lines)
        typer.echo(f"{len(records)} reads written to {out}", err=True)
