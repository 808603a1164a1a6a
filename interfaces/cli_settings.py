"""Settings for a command: a clear message and exit code 2 when they are wrong; and the
`--as-of` moment the jobs take."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from application.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def as_of_moment(given: datetime | None, now: datetime) -> datetime:
    """`--as-of`: a day or moment (UTC unless it says otherwise), never in the future."""
    if given is None:
        return now
    moment = given if given.tzinfo else given.replace(tzinfo=UTC)
    if moment > now:
        typer.echo("--as-of cannot lie in the future", err=True)
        raise typer.Exit(2)
    return moment
