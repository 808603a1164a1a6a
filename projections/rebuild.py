"""Rebuilding views in several processes, the log split by case.

Each process handles one partition of the cases (`runner.Partition`) for every projection
being rebuilt: it reads the log, decodes only its partition's events, and writes them into
each view's next version, with its own position (`<upstream>:rebuild:p<i>of<n>`) in the
same transaction as its rows, so a partition that crashes resumes exactly-once from there.
Every projection keys its rows by case (`keys_for`), so partitions never write the same
row. The next versions are promoted only when every partition has reached the same end
position; until then the live views serve, untouched.

The processes are forked (`FORK`): a child starts at once, without importing the
application anew, and opens connections of its own (it never uses one it inherited; the
command line holds none open when it forks). The tables are made before (`prepare`): the
partitions open the store `attached`, side by side, without making or locking anything."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from application.case_application import CaseApplicationBase
from application.cases import CaseApplication
from application.clock import SystemClock
from application.persistence import setup_lock
from application.settings import Settings
from projections import registry
from projections.projection import Projection
from projections.registry import OpenView, open_view
from projections.runner import REBUILD_BATCH_SIZE, Partition, ProjectionWorker, at_once, feed
from projections.view import REBUILDING

FORK = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
PROGRESS_SECONDS = 0.5
"""How often the parent reads the partitions' positions to show progress."""
Progress = Callable[[int], None]


class RebuildInterruptedError(Exception):
    """A partition stopped before the end: the next versions are kept, with each
    partition's position, for `resume`."""


ProjectionFactory = Callable[[str, CaseApplicationBase], Projection]
"""The projection of a view's name, fed from these cases (`registry.projection_for`)."""


@dataclass(frozen=True)
class Plan:
    """What every process of one rebuild agrees on."""

    settings: Settings
    names: tuple[str, ...]
    count: int
    stop: int
    """The log position every partition builds up to (the head when the rebuild began);
    the live workers go on from there after the promotion."""
    batch_size: int = REBUILD_BATCH_SIZE


def build_partition(
    plan: Plan,
    index: int,
    batches: int | None = None,
    projection_for: ProjectionFactory = registry.projection_for,
) -> int:
    """One partition's share, in a process of its own: its own application and views,
    attached to the next versions the parent made, fed up to `plan.stop` from the partition's
    recorded positions. Returns how many events it read (`batches`: stop after that many)."""
    partition = Partition(index, plan.count)
    cases, views = CaseApplication(attached(plan.settings), SystemClock()), open_attached(plan)
    try:
        tracked_as = partition.tracked_as(cases.name)
        workers = [
            ProjectionWorker(cases, projection_for(v.name, cases), v.view.building(), tracked_as)
            for v in views
        ]
        return feed(
            cases,
            workers,
            partition=partition,
            batch_size=plan.batch_size,
            stop=plan.stop,
            batches=batches,
            sole_writers=True,
        )
    finally:
        for opened in views:
            opened.close()
        cases.close()


def prepare(settings: Settings, names: Sequence[str], count: int, resume: bool) -> Plan:
    """Make each view's next version (empty), or keep it where `resume` finds one left by
    an interrupted rebuild with the same number of partitions; fix the end position."""
    cases, views = open_all(settings, names)
    try:
        upstream = cases.name
        prefix = f"{upstream}{REBUILDING}"
        ours = {Partition(i, count).tracked_as(upstream) for i in range(count)}
        for opened in views:
            tracked = opened.view.tracked_under(prefix)
            if not (resume and tracked and set(tracked) <= ours):
                opened.view.next_version(prefix)
        return Plan(settings, tuple(names), count, cases.position())
    finally:
        close(views, cases)


def partition_positions(plan: Plan, views: Sequence[OpenView], upstream: str) -> list[int]:
    """Each partition's position: the least over the views (the one it resumes from)."""
    positions = []
    for index in range(plan.count):
        name = Partition(index, plan.count).tracked_as(upstream)
        positions.append(min(opened.view.position(name) for opened in views))
    return positions


def attached(settings: Settings) -> Settings:
    """What a rebuild opens its stores with once `prepare` has made every table: nothing
    to make, so no setup lock to wait for (the partitions open side by side, at once)."""
    return settings.model_copy(update={"create_tables": False})


def open_attached(plan: Plan) -> list[OpenView]:
    return [open_view(attached(plan.settings), name) for name in plan.names]


def promote(plan: Plan, opened: Sequence[OpenView] | None = None) -> None:
    """Swap every next version in, once each partition of each view has reached the end
    (the views `opened` already, or opened here)."""
    upstream = CaseApplication.name
    views = opened if opened is not None else open_attached(plan)
    try:
        behind = [p for p in partition_positions(plan, views, upstream) if p < plan.stop]
        if behind:
            raise RebuildInterruptedError(f"partitions at {behind}, not at {plan.stop}")
        built_upstream = f"{upstream}{REBUILDING}"
        at_once(lambda v: v.view.building().ready(), views)
        at_once(lambda v: v.view.promote(v.view.building(), upstream, built_upstream), views)
    finally:
        if opened is None:
            close(views)


def open_all(settings: Settings, names: Sequence[str]) -> tuple[CaseApplication, list[OpenView]]:
    """The application and the views, their tables made if missing, under the setup lock
    (another process may be making the same tables: PostgreSQL refuses concurrent creation
    of the same objects, "tuple concurrently updated")."""
    with setup_lock(settings):
        cases = CaseApplication(settings, SystemClock())
        return cases, [open_view(settings, name) for name in names]


def close(views: Sequence[OpenView], cases: CaseApplication | None = None) -> None:
    for opened in views:
        opened.close()
    if cases is not None:
        cases.close()


def rebuild_in_processes(
    settings: Settings,
    names: Sequence[str],
    processes: int,
    *,
    batch_size: int = REBUILD_BATCH_SIZE,
    resume: bool = False,
    progress: Progress | None = None,
) -> int:
    """Rebuild the named views in `processes` processes, one partition of the cases each,
    and promote them together when all are done; returns the log position built up to.
    A partition that fails leaves the next versions and every partition's position:
    `resume=True` goes on from there (exactly-once), otherwise a rerun starts over."""
    plan = prepare(settings, names, processes, resume)
    context = multiprocessing.get_context(FORK)
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = [pool.submit(build_partition, plan, index) for index in range(processes)]
        # Every process is forked at the first submit (with "fork", the pool starts them
        # all at once): from here the parent may hold connections of its own.
        views = open_attached(plan)
        try:
            watch(plan, futures, progress, views)
            failures = [f.exception() for f in futures if f.exception() is not None]
            if failures:
                raise RebuildInterruptedError(
                    f"{len(failures)} of {processes} partitions failed; the live views are"
                    " untouched, rerun with resume to go on from each partition's position"
                ) from failures[0]
            promote(plan, views)
        finally:
            close(views)
    return plan.stop


def watch(
    plan: Plan, futures: list[Future[int]], progress: Progress | None, views: Sequence[OpenView]
) -> None:
    """Wait for the partitions (all, or the first failure), showing their progress: the
    position of the partition furthest behind, read from the views every so often."""
    if progress is None:
        wait(futures, return_when=FIRST_EXCEPTION)
        return
    shown = 0
    while True:
        done, pending = wait(futures, PROGRESS_SECONDS, return_when=FIRST_EXCEPTION)
        failed = any(f.exception() is not None for f in done)
        finished = failed or not pending
        if finished and not failed:
            reached = plan.stop
        else:
            reached = min(partition_positions(plan, views, CaseApplication.name))
        if reached > shown:
            progress(reached - shown)
            shown = reached
        if finished:
            return
