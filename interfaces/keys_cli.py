"""`gezinsregie keys ...` and `gezinsregie retention run`: the data keys of personal data,
and destroying what is due."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from application.cases import CaseApplication
from application.clock import SystemClock
from application.key_migration import migrate
from application.retention import Outcome, run_retention
from interfaces.cli_settings import MomentOption, as_of_moment, settings_or_exit

keys_cli = typer.Typer(help="The keys that seal personal data: migrate a store, rotate the KEK.")
retention_cli = typer.Typer(help="Destroy what is due: retention ended, erasures granted.")


@keys_cli.command(name="migrate")
def keys_migrate() -> None:
    """Seal the personal data of events written before sealing existed. Resumable: events
    already sealed are passed over; stop it and run it again at any time."""
    app = CaseApplication(settings_or_exit(), SystemClock())
    try:
        total = app.position()
        with Progress(
            TextColumn("events"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
        ) as bar:
            task = bar.add_task("events", total=total)
            done = migrate(app, lambda n: bar.advance(task, n))
    finally:
        app.close()
    typer.echo(f"{done.scanned} events read; {done.sealed} sealed now, the others were already")


@keys_cli.command(name="rotate")
def keys_rotate() -> None:
    """Rewrap every data key under the current key-encryption key (the events are not
    touched). Give the old key in GEZINSREGIE_PREVIOUS_KEY_ENCRYPTION_KEYS for this run;
    afterwards it is needed no more."""
    app = CaseApplication(settings_or_exit(), SystemClock())
    try:
        count = app.data_keys.store.rotate()
    finally:
        app.close()
    typer.echo(
        f"{count} data key(s) rewrapped under key-encryption key {app.data_keys.store.kek_id}"
    )


@retention_cli.command(name="run")
def retention_run(
    as_of: MomentOption = None,
) -> None:
    """Destroy the personal data of dossiers whose retention period has ended, and carry
    out granted erasure requests; a legal hold is respected. Idempotent."""
    app = CaseApplication(settings_or_exit(), SystemClock())
    try:
        moment = as_of_moment(as_of, app.clock.now(), app.settings)
        actions = run_retention(app, moment)
    finally:
        app.close()
    for action in actions:
        what = f"request {action.request_id}" if action.request_id else "retention period"
        verb = {
            Outcome.DESTROYED: "destroyed",
            Outcome.HELD: "HELD, not destroyed",
            Outcome.COMPLETED: "keys of a recorded erasure destroyed",
            Outcome.FAILED: f"FAILED: {action.reason}",
        }[action.outcome]
        typer.echo(f"{action.case_id}: {verb} ({what}, due {action.due_on})")
    count = {outcome: sum(a.outcome is outcome for a in actions) for outcome in Outcome}
    destroyed = count[Outcome.DESTROYED] + count[Outcome.COMPLETED]
    typer.echo(
        f"as of {moment:%Y-%m-%d}: {destroyed} destroyed, {count[Outcome.HELD]} held by a"
        f" legal hold, {count[Outcome.FAILED]} failed"
    )
    if count[Outcome.FAILED]:
        raise typer.Exit(1)
