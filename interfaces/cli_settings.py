"""Settings for a command: a clear message and exit code 2 when they are wrong; and the
`--as-of` moment the jobs take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from application.settings import Settings, SettingsError, load_settings
from interfaces.moments import MOMENT_RULE, MomentError, parse_moment


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
    said = store_description(settings)
    if said not in ANNOUNCED:  # once per command, however often it reads its settings
        ANNOUNCED.add(said)
        typer.echo(f"store: {said}", err=True)
    return settings


ANNOUNCED: set[str] = set()


def store_description(settings: Settings) -> str:
    """Which store a command opened, said on stderr so a wrong directory is seen at once."""
    if settings.store == "sqlite":
        return f"SQLite in {settings.data_dir.resolve()}"
    return (
        f"PostgreSQL {settings.postgres_user}@{settings.postgres_host}:{settings.postgres_port}"
        f"/{settings.postgres_dbname}, schema {settings.postgres_schema}"
    )


MomentOption = Annotated[
    str | None, typer.Option(help=f"{MOMENT_RULE[0].upper()}{MOMENT_RULE[1:]}")
]
"""A moment on the command line, by the same rule as in HTTP queries (`interfaces.moments`)."""


def given_moment(text: str | None, settings: Settings, option: str) -> datetime | None:
    """The moment an option gives (None when absent); a wrong one exits 2 saying why."""
    if text is None:
        return None
    try:
        return parse_moment(text, ZoneInfo(settings.report_timezone))
    except MomentError as error:
        typer.echo(f"{option}: {error}", err=True)
        raise typer.Exit(2) from None


def as_of_moment(text: str | None, now: datetime, settings: Settings) -> datetime:
    """`--as-of`: a day or moment (default: now), never in the future."""
    moment = given_moment(text, settings, "--as-of")
    if moment is None:
        return now
    if moment > now:
        typer.echo("--as-of cannot lie in the future", err=True)
        raise typer.Exit(2)
    return moment
