"""`gezinsregie audit ...`: an auditor's timeline of a case on the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import typer

from application.cases import CaseApplication
from application.clock import SystemClock
from application.errors import CaseNotFoundError
from application.replay import ReplayMode, event_data, replay
from interfaces.cli_settings import settings_or_exit

audit_cli = typer.Typer(help="For auditors: replay a case as it was at a moment.")
AsOf = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="Default: everything (UTC)"),
]


@audit_cli.command(name="replay")
def replay_case(
    case_id: UUID,
    as_of: AsOf = None,
    mode: Annotated[ReplayMode, typer.Option(help="recorded or occurred")] = ReplayMode.RECORDED,
) -> None:
    """Print the case's timeline up to --as-of: when, recorded when, by whom, what."""
    cases = CaseApplication(settings_or_exit(), SystemClock())
    try:
        moment = as_of.replace(tzinfo=as_of.tzinfo or UTC) if as_of else None
        found = replay(cases, case_id, moment, mode)
    except CaseNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        cases.close()
    typer.echo(
        f"case {case_id}, {len(found.events)} events ({mode.value}"
        + (f" as of {moment:%Y-%m-%d %H:%M}" if moment else "")
        + ")"
    )
    for event in found.events:
        name = type(event).TOPIC.removeprefix("gezinsregie.case.").removesuffix(".v1")
        late = " (recorded later)" if (event.timestamp - event.occurred_at).days >= 1 else ""
        who = f"{event.actor['subject']} ({event.actor['organisation']})"
        details = ", ".join(f"{k}={v}" for k, v in event_data(event).items() if v not in ("", []))
        typer.echo(
            f"{event.originator_version:>4}  {event.occurred_at:%Y-%m-%d %H:%M}  "
            f"{name:24} {who}{late}"
        )
        if details:
            typer.echo(f"      {details[:200]}")
