"""Settings for a command: a clear message and exit code 2 when they are wrong."""

from __future__ import annotations

import typer

from application.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
