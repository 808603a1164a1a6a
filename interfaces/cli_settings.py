"""Settings for a command: a clear message and exit code 2 when they are wrong; and the
`--as-of` moment the jobs take."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from application.settings import Settings, SettingsError, load_settings


def settings_or_exit(*, store_must_exist: bool = True) -> Settings:
    """The settings, and (unless the command makes a store: `serve`, `demo`) an embedded
    store that exists already: run from another directory, a command would otherwise make
    a new empty store and a new secret beside it, and answer from those without a word."""
    try:
        settings = load_settings()
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    events = settings.data_dir / "cases.sqlite"
    if store_must_exist and settings.store == "sqlite" and not events.exists():
        typer.echo(
            f"no store in {settings.data_dir.resolve()}: run this where `gezinsregie serve`"
            " keeps its data (or set GEZINSREGIE_DATA_DIR); `serve` and `demo` make one",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def as_of_moment(given: datetime | None, now: datetime) -> datetime:
    """`--as-of`: a day or moment (UTC unless it says otherwise), never in the future."""
    if given is None:
        return now
    moment = given if given.tzinfo else given.replace(tzinfo=UTC)
    if moment > now:
        typer.echo("--as-of cannot lie in the future", err=True)
        raise typer.Exit(2)
    return moment
