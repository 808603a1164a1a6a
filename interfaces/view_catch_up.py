"""A command that answers from a view brings it up to date with the store first, so its
answer covers every event recorded before it started (a progress bar when far behind)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from application.case_application import CaseApplicationBase
from application.settings import Settings
from projections.registry import OpenView, open_view, worker_for

PROGRESS_FROM = 10_000
"""From this many events behind, bringing a view up to date shows progress."""


@contextmanager
def view_up_to_date(
    settings: Settings, cases: CaseApplicationBase, name: str
) -> Iterator[OpenView]:
    """The view `name`, caught up with everything `cases` has recorded; closed after."""
    opened = open_view(settings, name)
    try:
        worker = worker_for(cases, opened)
        behind = cases.position() - worker.position
        if behind < PROGRESS_FROM:
            worker.catch_up()
        else:
            columns = (TextColumn(f"{name} view"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TimeRemainingColumn(), console=Console(stderr=True)) as bar:
                task = bar.add_task(name, total=behind)
                worker.catch_up(progress=partial(bar.advance, task))
        yield opened
    finally:
        opened.close()
