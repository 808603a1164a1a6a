"""The `gezinsregie` command line: demo data, a look at the cases, and the jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Annotated
from uuid import UUID

import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from application.cases import CaseApplication
from application.clock import SystemClock
from application.demo import write_demo
from application.errors import CaseNotFoundError
from application.inactivity import close_inactive_cases
from application.reading import read_case
from application.settings import SettingsError
from domain.authorization import Role, User, may_read
from interfaces.access_log_cli import access_log_cli
from interfaces.audit_cli import audit_cli
from interfaces.cli_reader import Actor, AsToken, Purpose, cli_reader, logged_reads
from interfaces.cli_settings import MomentOption, as_of_moment, settings_or_exit
from interfaces.keys_cli import keys_cli, retention_cli
from interfaces.projections_cli import projections_cli
from interfaces.report_cli import report_cli
from interfaces.subscriptions_cli import subscriptions_cli
from interfaces.tokens import TokenService
from interfaces.view_catch_up import view_up_to_date
from projections.closure_candidates import closure_candidates

cli = typer.Typer(
    help="Coordinate care around families: an event-sourced case store.",
    pretty_exceptions_show_locals=False,
)
cli.add_typer(projections_cli, name="projections")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(report_cli, name="report")
cli.add_typer(access_log_cli, name="access-log")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(retention_cli, name="retention")
cli.add_typer(subscriptions_cli, name="subscriptions")


@contextmanager
def case_application(*, create: bool = False) -> Iterator[CaseApplication]:
    """The application on the configured store (made if `create`); a settings error, or
    a store that is not there, ends with its message."""
    app = CaseApplication(settings_or_exit(store_must_exist=not create), SystemClock())
    try:
        yield app
    finally:
        app.close()


DEMO_PROGRESS_FROM = 500
"""From this many cases the demo command shows a progress bar."""


@cli.command()
def demo(
    cases: Annotated[int, typer.Option(min=1, help="How many families")] = 24,
    seed: Annotated[int, typer.Option(help="The same seed and day write the same cases")] = 2021,
) -> None:
    """Write realistic demo families, in every phase of the lifecycle (50 per transaction)."""
    with case_application(create=True) as app:
        started = time.perf_counter()
        before = app.position()
        if cases < DEMO_PROGRESS_FROM:
            ids = write_demo(app, cases, seed)
        else:
            with Progress(
                TextColumn("demo cases"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            ) as bar:
                task = bar.add_task("demo", total=cases)
                ids = write_demo(app, cases, seed, progress=partial(bar.advance, task))
        seconds = time.perf_counter() - started
        events = app.position()
        typer.echo(f"wrote {len(ids)} demo cases; {events} events in the store")
        if cases >= DEMO_PROGRESS_FROM and seconds > 0:
            written = events - before
            typer.echo(f"{written} events in {seconds:.1f} s ({written / seconds:,.0f} events/s)")


@cli.command(name="cases")
def list_cases() -> None:
    """List every case: municipality, team, status, coach and number of events."""
    with case_application() as app:
        typer.echo(f"{'case':36}  {'municipality':12} {'team':9} {'status':8} {'coach':14} events")
        for case_id in app.case_ids():
            case = app.get_case(case_id)
            status = "closed" if case.is_closed else "waiting" if case.is_waiting else "open"
            coach = case.coach or "-"
            typer.echo(
                f"{case_id}  {case.municipality:12} {case.team:9} {status:8} {coach:14} "
                f"{case.version}"
            )


@cli.command()
def show(
    case_id: UUID, as_token: AsToken = None, actor: Actor = None, purpose: Purpose = None
) -> None:
    """Show one case as JSON, as the reader may see it (the read is logged)."""
    settings = settings_or_exit()
    reader = cli_reader(settings, as_token, actor, purpose)
    with case_application() as app:
        try:
            case = app.get_case(case_id)
        except CaseNotFoundError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from None
        if not may_read(reader.user, case):
            typer.echo(f"there is no case {case_id}", err=True)  # as the API answers: 404
            raise typer.Exit(1)
        reading = read_case(reader, case, app.clock.now())
        with logged_reads(settings, app) as log:
            log(reading.record)
    typer.echo(reading.view.model_dump_json(exclude_unset=True, indent=2))


@cli.command(name="close-inactive")
def close_inactive(
    as_of: MomentOption = None,
) -> None:
    """Close every case without active help for its inactivity period. Idempotent.
    The overview view (caught up first) says which cases may be due; only those are read."""
    with case_application() as app:
        moment = as_of_moment(as_of, app.clock.now(), app.settings)
        with view_up_to_date(app.settings, app, "overview") as overview:
            candidates = closure_candidates(
                overview.view,
                moment,
                app.settings.periods_for,
                app.settings.shortest_inactivity_days,
            )
        closed = close_inactive_cases(app, moment, candidates)
        for item in closed:
            typer.echo(
                f"closed {item.case_id} ({item.municipality}): "
                f"inactive since {item.last_activity_at:%Y-%m-%d}"
            )
        typer.echo(f"{len(closed)} case(s) closed as inactive as of {moment:%Y-%m-%d %H:%M}")


@cli.command()
def token(
    sub: Annotated[str, typer.Option(help="Subject: who the user is")],
    org: Annotated[str, typer.Option(help="The user's organisation")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several")],
    municipality: Annotated[str | None, typer.Option(help="For municipal teams")] = None,
    team: Annotated[str | None, typer.Option(help="Limit to one team")] = None,
    minutes: Annotated[int | None, typer.Option(min=1, help="Lifetime")] = None,
    case_id: Annotated[str | None, typer.Option(help="Role family: the member's case")] = None,
    member_id: Annotated[str | None, typer.Option(help="Role family: who in it")] = None,
) -> None:
    """Issue a bearer token signed with the local secret (embedded default, HS256)."""
    settings = settings_or_exit()
    member_of = (case_id, member_id) if case_id and member_id else None
    user = User(sub, org, frozenset(role), municipality, team, member_of)
    try:
        typer.echo(TokenService(settings).issue(user, minutes))
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


SERVER_LOGGING = {
    **uvicorn.config.LOGGING_CONFIG,
    "formatters": {
        **uvicorn.config.LOGGING_CONFIG["formatters"],
        "line": {"format": "%(message)s"},
    },
    "handlers": {
        **uvicorn.config.LOGGING_CONFIG["handlers"],
        "lines": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        **uvicorn.config.LOGGING_CONFIG["loggers"],
        "gezinsregie": {"handlers": ["lines"], "level": "INFO", "propagate": False},
    },
}
"""uvicorn's logging plus ours (one JSON line per request, access-log failures): applied by
uvicorn in every worker process, so `--workers N` logs as one process does."""


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes (PostgreSQL only)")] = 1,
    demo: Annotated[bool, typer.Option(help="Load demo families into an empty store")] = False,
) -> None:
    """Serve the HTTP API (docs at /docs) until stopped; shuts down gracefully."""
    settings = settings_or_exit(store_must_exist=False)
    if workers > 1 and settings.store != "postgres":
        typer.echo("--workers > 1 needs GEZINSREGIE_STORE=postgres", err=True)
        raise typer.Exit(2)
    TokenService(settings)  # fail early on a missing secret or key
    if demo:
        with case_application(create=True) as app:
            if app.position() == 0:
                write_demo(app, 36)
    uvicorn.run(
        "interfaces.http.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=SERVER_LOGGING,
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
