"""Benchmark: the monitor for a year on ~500,000 events, against the projection rebuild
rate and the library's raw read floor, in the same run.

Run from the project root (never run by CI):

    python -m bench.report [--events 500000] [--backend sqlite|postgres|both] [--repeats 3]

Per backend one fresh store is filled by the demo generator (as in bench.rebuild). Then,
each repeated (median reported):

raw              every event read and decoded by the library, nothing else
rebuild overview the projections issue's reference: rebuilding the overview view
rebuild report   rebuilding the report view the monitor reads
monitor (view)   the monitor for the last year of the history, on a current view:
                 reading its rows and computing every table (and rendering CSV and JSON)
rows (raw SQL)   only reading and JSON-decoding the report view's rows: the query's floor
from scratch     `report monitor` on an empty view: rebuild report + monitor

"over rebuild" = seconds beyond the overview rebuild of the same events: what the
acceptance asks to stay within a few seconds.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from bench.rebuild import NOW, fresh_settings, generate, read_raw, rebuild
from bench.stores import postgres_unreachable
from interfaces.report_formats import as_csv, as_json
from projections.monitor import MonitorOptions, monitor
from projections.registry import open_view
from projections.report_period import ReportPeriod
from projections.view import RowFilter

YEAR = ReportPeriod(date(2025, 3, 1), date(2026, 2, 28))
"""The last full year of the demo histories, which end on 2 March 2026."""


def timed(work: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def monitor_on_view(settings: Settings) -> float:
    opened = open_view(settings, "report")
    try:

        def compute() -> None:
            report = monitor(opened.view, MonitorOptions(YEAR))
            as_csv(report), as_json(report)

        return timed(compute)
    finally:
        opened.close()


def rows_only(settings: Settings) -> float:
    opened = open_view(settings, "report")
    try:
        return timed(lambda: opened.view.select_rows(RowFilter(kind="case")))
    finally:
        opened.close()


def measurements(app: CaseApplication, settings: Settings) -> dict[str, Callable[[], float]]:
    def from_scratch() -> float:
        return rebuild(app, settings, ["report"], 1000).seconds + monitor_on_view(settings)

    return {
        "raw": lambda: read_raw(app).seconds,
        "rebuild overview": lambda: rebuild(app, settings, ["overview"], 1000).seconds,
        "rebuild report": lambda: rebuild(app, settings, ["report"], 1000).seconds,
        "monitor (view)": lambda: monitor_on_view(settings),
        "rows (raw SQL)": lambda: rows_only(settings),
        "from scratch": from_scratch,
    }


def bench_backend(app: CaseApplication, settings: Settings, repeats: int) -> dict[str, float]:
    work = measurements(app, settings)
    rebuild(app, settings, ["report"], 1000)  # a current view for the first monitor run
    runs: dict[str, list[float]] = {what: [] for what in work}
    for repeat in range(repeats):
        for what, measure in work.items():
            runs[what].append(measure())
            print(f"  #{repeat + 1} {what}: {runs[what][-1]:.2f} s", file=sys.stderr, flush=True)
    return {what: statistics.median(seconds) for what, seconds in runs.items()}


def table(backend: str, events: int, medians: dict[str, float]) -> list[str]:
    raw, overview = medians["raw"], medians["rebuild overview"]
    lines = []
    for what, seconds in medians.items():
        rate = f"{events / seconds:>10,.0f}" if "rebuild" in what or what == "raw" else " " * 10
        ratio = f"{raw / seconds:6.2f}" if "rebuild" in what else "     -"
        beyond = f"{seconds - overview:+7.2f}" if what == "from scratch" else "      -"
        lines.append(f"{backend:9} {what:17} {seconds:8.2f} {rate} {ratio} {beyond}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg-dbname", default="test")
    args = parser.parse_args(argv)
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as root:
        for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
            if backend == "postgres" and (reason := postgres_unreachable(args.pg_dbname)):
                print(f"postgres skipped: {reason}", file=sys.stderr)
                continue
            with fresh_settings(backend, Path(root), args.pg_dbname) as settings:
                app = CaseApplication(settings, FixedClock(NOW))
                try:
                    made = generate(app, settings, args.events)
                    print(
                        f"  {backend}: {made.events} events ({made.cases} cases) in "
                        f"{made.seconds:.1f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    lines += table(backend, made.events, bench_backend(app, settings, args.repeats))
                finally:
                    app.close()
    print(
        f"\nmonitor for {YEAR.first_day} to {YEAR.last_day}; seconds: median of "
        f"{args.repeats}; ratio: raw seconds / rebuild seconds; over rebuild: from scratch "
        "minus the overview rebuild\n"
    )
    print(
        f"{'backend':9} {'measurement':17} {'seconds':>8} {'events/s':>10} {'ratio':>6} "
        f"{'over rebuild':>7}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
