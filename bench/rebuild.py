"""Benchmark: how fast the projections rebuild, against the library's own read floor.

Run from the project root (never run by CI):

    python -m bench.rebuild [--events 500000] [--backend sqlite|postgres|both]
                            [--repeats 3] [--pg-repeats R] [--batch-size 4000]
                            [--processes 2] [--only 'raw,raw sealed,all,all x2'] [--profile]

Per backend, one fresh store (a temporary SQLite dir, or a new PostgreSQL schema in the
`test` database, dropped at the end) is filled once with at least `--events` events by the
demo generator (`application.demo.write_demo`: realistic case histories built in the
domain, 50 cases per transaction); its time is reported separately. On that store:

raw        reading and decoding every event through the library, nothing else:
           `recorder.select_notifications(start, 1000)` + `mapper.to_domain_event(n)`.
raw sealed the same, decoded as the projections decode them (`structure_mapper`: personal
           fields left sealed, not decrypted): the floor of what a rebuild must do;
           ratio/sealed is events/s over this one's.
<name>     `worker_for(cases, open_view(settings, name)).rebuild(batch_size)`: empty the
           view, then read, decode, project and write every event, batch by batch, with
           the tracking position in the same transaction (what `projections rebuild`
           does).
all        every projection rebuilt from one read of the log (`projections rebuild
           --all`): each batch read and decoded once and handed to every projection,
           each view written with its own position in its own transaction (next
           versions without secondary indexes, made once filled; on PostgreSQL the next
           batch read and each view's batch written by threads of their own, see
           `projections.runner.feed`). The CPU column includes those threads.
all xN     the same split by case over N processes (`rebuild --all --processes N`,
           default 2): each reads the log, decodes and projects only its partition's
           events, tracked per partition; the views are promoted when all are done.
           Its speed-up over `all` is printed below the table: the ratio of the
           medians, and the median of each repeat's ratio (steadier on a shared host).

Each is repeated (default 3 times, order rotated between repeats) and the median is
reported; ratio = events/s divided by raw events/s (target for each projection: >= 0.5).
The CPU columns count this process's CPU seconds only: steadier than the wall clock when
the machine is shared, but blind to waiting for the disk or for PostgreSQL.
`--only` measures just the named rows (comma-separated; `raw` is always measured, the
ratios need it). `--profile` runs cProfile over one rebuild of each projection, and of
`all`, instead of the table.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from uuid import uuid4

from application.cases import CaseApplication
from application.clock import FixedClock
from application.demo import demo_cases, write_demo
from application.settings import Settings, load_settings
from bench.stores import drop_schema, postgres_unreachable
from projections.rebuild import rebuild_in_processes
from projections.registry import PROJECTIONS, open_view, worker_for
from projections.runner import REBUILD_BATCH_SIZE, rebuild_together

NOW = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
"""The demo histories end here (a fixed clock: the same store every run)."""
SEED = 2021
RAW_BATCH = 1000
SEALED = "raw sealed"
PILOT_CASES = 1000
"""Cases generated in memory first, to learn how many events a case has on average."""

# ---------------------------------------------------------------------------------------
# Stores.
# ---------------------------------------------------------------------------------------


@contextmanager
def fresh_settings(backend: str, root: Path, pg_dbname: str) -> Iterator[Settings]:
    """A fresh, empty store: removed (SQLite) or dropped (PostgreSQL) afterwards."""
    if backend == "sqlite":
        data_dir = Path(tempfile.mkdtemp(prefix="sqlite-", dir=root))
        try:
            yield load_settings(store="sqlite", data_dir=data_dir)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        return
    schema = f"bench_rebuild_{uuid4().hex[:12]}"
    settings = load_settings(
        store="postgres",
        postgres_dbname=pg_dbname,
        postgres_user="postgres",
        postgres_schema=schema,
    )
    try:
        yield settings
    finally:
        drop_schema(settings, schema)


# ---------------------------------------------------------------------------------------
# Generating the store.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    cases: int
    events: int
    seconds: float


def cases_for(events: int, settings: Settings) -> int:
    """How many demo cases make at least `events` events (a small margin above the mean)."""
    pilot = demo_cases(PILOT_CASES, seed=SEED, end=NOW, periods_for=settings.periods_for)
    mean = sum(len(case.pending_events) for case in pilot) / PILOT_CASES
    return math.ceil(events / mean * 1.01)


def generate(app: CaseApplication, settings: Settings, events: int) -> Generated:
    cases = cases_for(events, settings)
    started = time.perf_counter()
    ids = write_demo(app, cases, SEED)
    extra = 1
    while app.position() < events:  # the margin was not enough: a few more families
        ids += write_demo(app, max(1, cases // 100), SEED + extra)
        extra += 1
    return Generated(len(ids), app.position(), time.perf_counter() - started)


# ---------------------------------------------------------------------------------------
# Measurements: each answers (events, seconds); only the work is timed.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    events: int
    seconds: float
    cpu: float
    """This process's CPU seconds: steadier than the wall clock on a busy machine, but
    blind to time spent waiting (for the disk, or for PostgreSQL's own processes)."""


def read_raw(app: CaseApplication, sealed: bool = False) -> Run:
    """The floor: every event read and decoded by the library, nothing else done; `sealed`:
    decoded as the projections decode them, personal fields left sealed (a lower floor)."""
    mapper = app.structure_mapper if sealed else app.mapper
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    done, start = 0, 1
    while True:
        notifications = app.recorder.select_notifications(start, RAW_BATCH)
        for notification in notifications:
            mapper.to_domain_event(notification)
        done += len(notifications)
        if len(notifications) < RAW_BATCH:
            break
        start = notifications[-1].id + 1
    return Run(done, time.perf_counter() - started, time.process_time() - cpu)


def rebuild(app: CaseApplication, settings: Settings, names: list[str], batch_size: int) -> Run:
    """Rebuild the named projections from one read of the log: the views opened and
    rebuilt, as the command line does once it has the application (and as `all xN`, which
    opens them in each process, is timed)."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    views = [open_view(settings, name) for name in names]
    try:
        count = rebuild_together([worker_for(app, opened) for opened in views], batch_size)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        for opened in views:
            opened.close()
    head = app.position()
    if count != head:
        raise AssertionError(f"rebuilt {count} events of {head}")
    return Run(head, seconds, cpu)


def rebuild_split(
    app: CaseApplication, settings: Settings, names: list[str], batch_size: int, processes: int
) -> Run:
    """Rebuild the named projections in `processes` processes, split by case. The CPU
    column counts this (the parent) process only: here it shows how little the parent does."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    reached = rebuild_in_processes(settings, names, processes, batch_size=batch_size)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    head = app.position()
    if reached != head:
        raise AssertionError(f"rebuilt up to {reached} of {head}")
    return Run(head, seconds, cpu)


# ---------------------------------------------------------------------------------------
# Reporting.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    backend: str
    what: str
    events: int
    seconds: float
    cpu: float
    runs: int
    samples: tuple[float, ...] = ()
    """Each run's seconds, in the order of the repeats (see `speed_ups`)."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds

    @property
    def events_per_cpu_second(self) -> float:
        return self.events / self.cpu if self.cpu else 0.0


def median_row(backend: str, what: str, runs: list[Run]) -> Row:
    events = {run.events for run in runs}
    if len(events) != 1:
        raise AssertionError(f"{what}: runs differ in size: {runs}")
    seconds = statistics.median(r.seconds for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    samples = tuple(r.seconds for r in runs)
    return Row(backend, what, events.pop(), seconds, cpu, len(runs), samples)


def table(rows: list[Row], generated: dict[str, Generated]) -> str:
    header = ["backend", "measurement", "events", "runs", "seconds", "events/s", "ratio/raw"]
    header += ["ratio/sealed", "cpu s", "events/cpu-s", "cpu ratio"]
    raw = {row.backend: row for row in rows if row.what == "raw"}
    sealed = {row.backend: row for row in rows if row.what == SEALED}
    lines = []
    for backend, made in generated.items():
        rate = f"{made.events / made.seconds:,.0f}"
        name = f"generate ({made.cases} cases)"
        lines.append([backend, name, str(made.events), "1", f"{made.seconds:.1f}", rate])
        lines[-1] += ["-", "-", "-", "-", "-"]
    for row in rows:
        baseline, floor = raw.get(row.backend), sealed.get(row.backend)
        ratio = sealed_ratio = cpu_ratio = "-"
        if row.what != "raw" and baseline is not None:
            ratio = f"{row.events_per_second / baseline.events_per_second:.2f}"
            cpu_ratio = f"{row.events_per_cpu_second / baseline.events_per_cpu_second:.2f}"
        if not row.what.startswith("raw") and floor is not None:
            sealed_ratio = f"{row.events_per_second / floor.events_per_second:.2f}"
        lines.append(
            [
                row.backend,
                row.what,
                str(row.events),
                str(row.runs),
                f"{row.seconds:.2f}",
                f"{row.events_per_second:,.0f}",
                ratio,
                sealed_ratio,
                f"{row.cpu:.2f}",
                f"{row.events_per_cpu_second:,.0f}",
                cpu_ratio,
            ]
        )
    order = {backend: i for i, backend in enumerate(generated)}
    lines.sort(key=lambda line: order.get(line[0], 0))  # stable: generate first per backend
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        first, second, *numbers = cells
        return "  ".join(
            [first.ljust(widths[0]), second.ljust(widths[1])]
            + [cell.rjust(width) for cell, width in zip(numbers, widths[2:], strict=True)]
        )

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def speed_ups(rows: list[Row]) -> list[str]:
    """Per backend: how much faster the split rebuild is than `all` in one process, as the
    ratio of the medians and as the median of each repeat's ratio: the two runs of a repeat
    follow each other, so a machine whose speed drifts over minutes (a shared host) moves
    both alike, and the pairs' ratios scatter less than the runs do."""
    lines = []
    for split in (row for row in rows if row.what.startswith("all x")):
        [one] = [row for row in rows if row.backend == split.backend and row.what == "all"]
        paired = [a / b for a, b in zip(one.samples, split.samples, strict=True)]
        lines.append(
            f"{split.backend}: {split.what} is {one.seconds / split.seconds:.2f}x as fast as all"
            f" in one process ({split.seconds:.2f} s against {one.seconds:.2f} s); per repeat"
            f" {', '.join(f'{r:.2f}' for r in paired)}: median {statistics.median(paired):.2f}x"
        )
    return lines


# ---------------------------------------------------------------------------------------
# Per backend.
# ---------------------------------------------------------------------------------------


def bench_backend(
    app: CaseApplication,
    settings: Settings,
    backend: str,
    repeats: int,
    batch_size: int,
    processes: int,
    only: list[str] | None = None,
) -> list[Row]:
    names = sorted(PROJECTIONS)
    measurements: dict[str, Callable[[], Run]] = {
        "raw": lambda: read_raw(app),
        SEALED: lambda: read_raw(app, sealed=True),
    }
    for name in names:
        measurements[name] = partial(rebuild, app, settings, [name], batch_size)
    measurements["all"] = partial(rebuild, app, settings, names, batch_size)
    if processes > 1:
        measurements[f"all x{processes}"] = partial(
            rebuild_split, app, settings, names, batch_size, processes
        )
    if only is not None:
        unknown = set(only) - set(measurements)
        if unknown:
            raise SystemExit(f"--only: no measurement {', '.join(sorted(unknown))}")
        measurements = {k: v for k, v in measurements.items() if k == "raw" or k in only}
    read_raw(app)  # warm the page cache and the decoder up
    runs: dict[str, list[Run]] = {what: [] for what in measurements}
    order = list(measurements)
    for repeat in range(repeats):
        shift = repeat % len(order)  # rotate, so drift on a noisy machine hits all alike
        for what in order[shift:] + order[:shift]:
            runs[what].append(measurements[what]())
            run = runs[what][-1]
            print(
                f"  {backend} #{repeat + 1} {what}: {run.events} events in {run.seconds:.2f} s "
                f"({run.events / run.seconds:,.0f}/s; cpu {run.cpu:.2f} s)",
                file=sys.stderr,
                flush=True,
            )
    return [median_row(backend, what, runs[what]) for what in measurements]


def profile_backend(
    app: CaseApplication, settings: Settings, backend: str, batch_size: int, limit: int = 30
) -> None:
    names = sorted(PROJECTIONS)
    for what in [*names, "all"]:
        profiler = cProfile.Profile()
        run = profiler.runcall(
            rebuild, app, settings, names if what == "all" else [what], batch_size
        )
        for sort in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(limit)
            print(f"===== {backend} rebuild {what} ({run.events} events), by {sort} =====")
            print(out.getvalue())
    profiler = cProfile.Profile()
    run = profiler.runcall(read_raw, app)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(limit)
    print(f"===== {backend} raw read ({run.events} events), by tottime =====")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rebuild",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=500_000, help="at least this many")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg-repeats", type=int, help="PostgreSQL repeats (default: --repeats)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=REBUILD_BATCH_SIZE,
        help="events per rebuild batch (default: the command line's)",
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="processes for `all xN` (1: leave it out)"
    )
    parser.add_argument(
        "--only", help="comma-separated measurements to run (e.g. 'raw sealed,all,all x2')"
    )
    parser.add_argument("--pg-dbname", default="test")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one rebuild of each projection"
    )
    args = parser.parse_args(argv)

    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows: list[Row] = []
    generated: dict[str, Generated] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as root:
        for backend in names:
            if backend == "postgres":
                reason = postgres_unreachable(args.pg_dbname)
                if reason is not None:
                    print(f"postgres skipped: {reason}", file=sys.stderr)
                    continue
            repeats = args.repeats
            if backend == "postgres" and args.pg_repeats is not None:
                repeats = args.pg_repeats
            with fresh_settings(backend, Path(root), args.pg_dbname) as settings:
                app = CaseApplication(settings, FixedClock(NOW))
                try:
                    made = generate(app, settings, args.events)
                    generated[backend] = made
                    print(
                        f"  {backend}: generated {made.cases} cases, {made.events} events in "
                        f"{made.seconds:.1f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    if args.profile:
                        profile_backend(app, settings, backend, args.batch_size)
                    else:
                        rows.extend(
                            bench_backend(
                                app,
                                settings,
                                backend,
                                repeats,
                                args.batch_size,
                                args.processes,
                                args.only.split(",") if args.only else None,
                            )
                        )
                finally:
                    app.close()
    if rows:
        print(
            f"\nrebuild batch size {args.batch_size}, raw read batch {RAW_BATCH}; "
            f"seconds: median of the runs; ratio: events/s over raw events/s\n"
        )
        print(table(rows, generated))
        print()
        for line in speed_ups(rows):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
