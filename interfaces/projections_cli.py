"""`gezinsregie projections ...`: run workers, show their lag, rebuild a view."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from application.cases import CaseApplication
from application.clock import SystemClock
from application.settings import Settings
from interfaces.cli_settings import settings_or_exit
from projections.rebuild import RebuildInterruptedError, rebuild_in_processes
from projections.registry import (
    PROJECTIONS,
    OpenView,
    UnknownProjectionError,
    open_view,
    worker_for,
)
from projections.runner import REBUILD_BATCH_SIZE, rebuild_together

FAILURE_CHECK_SECONDS = 0.5
"""How often `run` looks whether a worker stopped on a bug (it then stops all, exit 1)."""

projections_cli = typer.Typer(help="Read models built from the events: run, status, rebuild.")
Names = Annotated[list[str] | None, typer.Argument(help="Projections (default: all)")]


def _names(names: list[str] | None) -> list[str]:
    chosen = names or sorted(PROJECTIONS)
    unknown = [n for n in chosen if n not in PROJECTIONS]
    if unknown:
        typer.echo(str(UnknownProjectionError(unknown[0])).strip('"'), err=True)
        raise typer.Exit(2)
    return chosen


@contextmanager
def _opened(
    settings: Settings, names: list[str]
) -> Iterator[tuple[CaseApplication, list[OpenView]]]:
    cases = CaseApplication(settings, SystemClock())
    views = [open_view(settings, name) for name in names]
    try:
        yield cases, views
    finally:
        for opened in views:
            opened.close()
        cases.close()


@projections_cli.command()
def status(names: Names = None) -> None:
    """Each projection's position and how many events it lags behind."""
    with _opened(settings_or_exit(), _names(names)) as (cases, views):
        head = cases.position()
        typer.echo(f"{'projection':12} {'position':>10} {'lag':>8}   (store at {head})")
        for opened in views:
            position = opened.view.position(cases.name)
            typer.echo(f"{opened.name:12} {position:>10} {head - position:>8}")


@projections_cli.command()
def run(names: Names = None) -> None:
    """Keep projections current until stopped (Ctrl-C or SIGTERM): by LISTEN/NOTIFY on
    PostgreSQL, by catching up every 50 ms on SQLite."""
    with _opened(settings_or_exit(), _names(names)) as (cases, views):
        workers = [worker_for(cases, opened) for opened in views]
        threads = [threading.Thread(target=w.run, name=w.projection.name) for w in workers]
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        for thread in threads:
            thread.start()
        typer.echo(f"running {', '.join(v.name for v in views)}; stop with Ctrl-C")
        while not stop.wait(FAILURE_CHECK_SECONDS):
            if any(w.failure is not None for w in workers):
                break
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join()
        failed = [w for w in workers if w.failure is not None]
        for worker in failed:
            typer.echo(
                f"projection {worker.projection.name} FAILED at position {worker.position}:"
                f" {type(worker.failure).__name__}: {worker.failure}",
                err=True,
            )
        if failed:
            raise typer.Exit(1)
        typer.echo("stopped; positions are recorded, a restart resumes from them")


@projections_cli.command()
def rebuild(
    names: Names = None,
    all_: Annotated[bool, typer.Option("--all", help="Rebuild every projection")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = REBUILD_BATCH_SIZE,
    processes: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Split the cases over this many processes (PostgreSQL: up to one per core)",
        ),
    ] = 1,
    resume: Annotated[
        bool,
        typer.Option(
            help="With --processes: go on from where an interrupted rebuild's partitions stopped"
        ),
    ] = False,
) -> None:
    """Build views anew beside the live ones, all from one read of the log, and swap each
    in when it has caught up; the live views serve meanwhile. Safe to interrupt (the live
    views stay) and rerun; split over processes, a rerun with --resume goes on from where
    each partition stopped."""
    if not names and not all_:
        typer.echo("name a projection or pass --all", err=True)
        raise typer.Exit(2)
    if resume and processes == 1:
        typer.echo("--resume goes on from partitions: pass --processes 2 or more", err=True)
        raise typer.Exit(2)
    chosen = _names(names)
    settings = settings_or_exit()
    label = ", ".join(chosen)
    started = time.perf_counter()
    if processes == 1:
        with _opened(settings, chosen) as (cases, views), _bar(label, cases.position()) as step:
            events = rebuild_together(
                [worker_for(cases, opened) for opened in views], batch_size, step
            )
    else:
        with _opened(settings, []) as (cases, _):
            head = cases.position()
        try:
            with _bar(label, head) as step:
                events = rebuild_in_processes(
                    settings, chosen, processes, batch_size=batch_size, resume=resume, progress=step
                )
        except RebuildInterruptedError as error:
            typer.echo(f"rebuild interrupted: {error}: {error.__cause__}", err=True)
            raise typer.Exit(1) from error
    seconds = time.perf_counter() - started
    rate = events / seconds if seconds else 0.0
    typer.echo(
        f"{label}: {events} events in {seconds:.1f} s ({rate:,.0f} events/s,"
        f" {processes} process{'es' if processes > 1 else ''})"
    )


@contextmanager
def _bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar over the log, advanced by how many events are done."""
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as bar:
        task = bar.add_task(label, total=total)
        yield partial(bar.advance, task)
