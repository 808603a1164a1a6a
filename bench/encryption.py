"""Benchmark: what sealing personal data (application/sealing.py) costs, measured with and
without encryption in the same run, against the issue's targets.

Run from the project root (never run by CI):

    python -m bench.encryption [--backend sqlite|postgres|both] [--repeats 3]
                               [--cases 40] [--events 20000] [--reads 300] [--pg-dbname test]

Implementations, each on stores of its own (a temporary SQLite dir, or new PostgreSQL
schemas `bench_<hex>` in the `test` database, dropped at the end together with their key
stores' `<schema>_keys`):

sealed  `CaseApplication` as it is: its SealingMapper seals every personal field with the
        case's or the member's data key (AES-GCM; a key is made in the key store on first
        use, its cipher then kept in memory) and opens it again when the event is read.
plain   without encryption: a subclass whose SealingMapper has no keys (`keys=None`),
        which is the library's own mapper: nothing is sealed, no key is asked for (the
        key store is opened, as the application always does, and left unused).
raw     the bare library, where it is cheap, as the other benches measure it.

Rows (each measurement repeated --repeats times, the order rotated between repeats; the
median is reported):

appends        bench.append's "commands" workload: --cases realistic case histories, one
               get -> call -> save per command (27 commands, 28 events a case), on a fresh
               store per run. raw: bench.append's bare aggregate in a plain `Application`,
               the same number of commands (27 events a case), each event of the plain
               application's average stored size. `x plain` compares seconds for the same
               commands: plain events/s over sealed events/s.
generate       the rebuild store written by `application.demo.write_demo` (50 cases per
               transaction, bench.rebuild.generate): one run each, for scale, not judged.
rebuild all    every projection rebuilt one after the other (`worker_for(app,
               open_view(settings, name)).rebuild(1000)`, bench.rebuild.rebuild) from a
               store of at least --events demo events written by that implementation.
raw read+decode
               every event of that store read and decoded, nothing else
               (bench.rebuild.read_raw): the plain row is the library's own floor (raw),
               the sealed row adds only the opening of the sealed fields. Not judged.
GET cache      GET /v1/cases/{id} on a real uvicorn server per implementation, started as
               `gezinsregie serve` starts it (the plain one through `plain_served_app`
               below), both running, the reads alternating between them; one realistic
               family case (bench.privacy_cost's: 4 members, conversations, a round table,
               a plan, referrals, consents...), read by the team's coordinator, --reads per
               server per repeat after a warm-up; p50 and p95 per repeat, median over the
               repeats. With the server's default case cache a read asks the store only
               for newer events (none) or, on PostgreSQL, reads the case from memory.
GET cache 0    the same with GEZINSREGIE_CASE_CACHE_SIZE=0: every read replays the case
               from the store, so the sealed server opens every sealed field of it.

`x plain` is the cost factor against plain: seconds over plain seconds (appends, rebuild,
raw read+decode), p50 over plain p50 (GET). Targets, for the sealed rows of appends,
rebuild all and both GETs: <= 1.15 (the verdicts are listed below the table). The CPU
columns count this process's CPU seconds only: steadier than the wall clock when the
machine is shared, but blind to waiting for the disk or for PostgreSQL (the GET rows have
none: the work is done by the server processes).

Every store is checked to be what its implementation writes (sealed fields in the sealed
stores, none in the plain ones): if `CaseApplication` stops sealing, the run stops rather
than compare plain with plain. With the defaults a run takes about a minute on SQLite
and two to three for both backends (2 cores); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gc
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import httpx
import uvicorn
from eventsourcing.persistence import Mapper
from fastapi import FastAPI
from pydantic import SecretStr

import interfaces.http.app as http_app
from application.cases import CaseApplication
from application.clock import Clock, FixedClock, SystemClock
from application.sealing import SEALED, SealingMapper
from application.settings import Settings
from bench.api_load import ROOT, Server, free_port, stop_server
from bench.append import (
    COMMANDS_PER_CASE,
    EVENTS_PER_CASE,
    START,
    WARMUP_CASES,
    Backend,
    Result,
    raw_app,
    raw_text_for,
    run_app_commands,
    run_raw_commands,
)
from bench.privacy_cost import COORDINATOR, environment_of, open_the_case
from bench.rebuild import NOW, Generated, Run, generate, read_raw, rebuild
from bench.served import wait_healthy
from bench.stores import postgres_unreachable
from interfaces.cli import SERVER_LOGGING
from interfaces.tokens import TokenService
from projections.registry import PROJECTIONS

T = TypeVar("T")
TARGET = 1.15
"""Sealed may cost at most this factor of plain."""
REPEATS = 3
CASES = 40
EVENTS = 20_000
READS = 300
WARMUP_READS = 30
REBUILD_BATCH = 1000
SERVER_POOL_SIZE = 2
HEALTH_SECONDS = 30.0

# ---------------------------------------------------------------------------------------
# Without encryption: the same application, its mapper without keys.
# ---------------------------------------------------------------------------------------


class PlainCaseApplication(CaseApplication):
    """The case application without encryption: its SealingMapper has no data keys, which
    makes it the library's own mapper (nothing sealed on write, nothing opened on read)."""

    def construct_mapper(self) -> Mapper[UUID]:
        return SealingMapper(
            transcoder=self.construct_transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
            keys=None,
        )


IMPLEMENTATIONS: dict[str, type[CaseApplication]] = {
    "sealed": CaseApplication,
    "plain": PlainCaseApplication,
}


def plain_served_app() -> FastAPI:
    """uvicorn's factory for the server without encryption, in the server's own process:
    `create_served_app` with `PlainCaseApplication` in place of `CaseApplication`."""
    vars(http_app)["CaseApplication"] = PlainCaseApplication  # what its lifespan opens
    return http_app.create_served_app()


def serve(implementation: str, port: int) -> None:
    """In the server process: uvicorn as `gezinsregie serve` runs it, on one of the two."""
    factory = (
        "bench.encryption:plain_served_app"
        if implementation == "plain"
        else "interfaces.http.app:create_served_app"
    )
    uvicorn.run(
        factory,
        factory=True,
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_config=SERVER_LOGGING,
    )


def sealed_events(app: CaseApplication) -> tuple[int, int]:
    """(events holding a sealed field, events) in the app's store: which one wrote it."""
    sealed = total = 0
    start = 1
    while notifications := app.recorder.select_notifications(start, 1000):
        sealed += sum(f'"{SEALED}"'.encode() in n.state for n in notifications)
        total += len(notifications)
        start = notifications[-1].id + 1
    return sealed, total


def check_written_by(implementation: str, app: CaseApplication) -> None:
    sealed, total = sealed_events(app)
    if total == 0 or (sealed > 0) != (implementation == "sealed"):
        raise AssertionError(f"{implementation} store: {sealed} of {total} events sealed")


# ---------------------------------------------------------------------------------------
# Stores: bench.append's, with a key-encryption key, and the key stores dropped too.
# ---------------------------------------------------------------------------------------


@dataclass
class KeyedBackend(Backend):
    """bench.append's fresh stores, with overrides (the key-encryption key comes from the
    environment `bench` sets; `drop_schema` drops the key store's schema too)."""

    def settings(self, **overrides: Any) -> Settings:
        return super().settings().model_copy(update=overrides)


@contextmanager
def case_app(
    backend: KeyedBackend, implementation: str, clock: Clock, **overrides: Any
) -> Iterator[tuple[CaseApplication, Settings]]:
    settings = backend.settings(**overrides)
    app: CaseApplication | None = None
    try:
        app = IMPLEMENTATIONS[implementation](settings, clock)
        yield app, settings
    finally:
        if app is not None:
            app.close()
        backend.cleanup(settings)


# ---------------------------------------------------------------------------------------
# Measurements.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    events: int
    seconds: float
    cpu: float


def timed(run: Callable[[], Result]) -> Timed:
    gc.collect()
    cpu = time.process_time()
    result = run()
    return Timed(result.events, result.seconds, time.process_time() - cpu)


def measure_appends(backend: KeyedBackend, implementation: str, cases: int, text: str) -> Timed:
    if implementation == "raw":
        with raw_app(backend) as raw:
            return timed(lambda: run_raw_commands(raw, cases, text))
    clock = FixedClock(START)
    with case_app(backend, implementation, clock) as (app, _settings):
        measured = timed(lambda: run_app_commands(app, clock, cases))
        check_written_by(implementation, app)
        return measured


def warm_up_appends(backend: KeyedBackend) -> str:
    """Warm every implementation up; the raw payload, of the plain app's stored size."""
    clock = FixedClock(START)
    with case_app(backend, "sealed", clock) as (app, _settings):
        run_app_commands(app, clock, WARMUP_CASES)
    clock = FixedClock(START)
    with case_app(backend, "plain", clock) as (app, _settings):
        run_app_commands(app, clock, WARMUP_CASES)
        notifications = app.recorder.select_notifications(1, 10_000)
        text = raw_text_for(statistics.mean(len(n.state) for n in notifications))
    with raw_app(backend) as raw:
        run_raw_commands(raw, WARMUP_CASES, text)
    return text


def rotated(items: list[T], repeat: int) -> list[T]:
    """A different order each repeat, so drift on a noisy machine hits all alike."""
    shift = repeat % len(items)
    return items[shift:] + items[:shift]


def progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    backend: str
    measurement: str
    implementation: str
    work: str
    value: float
    """Seconds (median), or the GET's p50 in ms."""
    unit: str
    rate: str
    cpu: float | None = None
    judged: bool = False


def median_of(runs: list[Timed] | list[Run]) -> tuple[int, float, float]:
    events = {run.events for run in runs}
    if len(events) != 1:
        raise AssertionError(f"runs differ in size: {runs}")
    seconds = statistics.median(run.seconds for run in runs)
    return events.pop(), seconds, statistics.median(run.cpu for run in runs)


def timed_row(
    backend: str, measurement: str, implementation: str, runs: list[Timed] | list[Run]
) -> Row:
    events, seconds, cpu = median_of(runs)
    return Row(
        backend,
        measurement,
        implementation,
        f"{events} events",
        seconds,
        "s",
        f"{events / seconds:,.0f} events/s",
        cpu,
        judged=implementation == "sealed" and measurement in ("appends", "rebuild all"),
    )


def table(rows: list[Row]) -> str:
    header = ["backend", "measurement", "impl", "work", "median", "rate", "cpu s"]
    header += ["x plain", "cpu x plain", "target", "met"]
    plain = {(r.backend, r.measurement): r for r in rows if r.implementation == "plain"}
    lines = []
    for row in rows:
        base = plain.get((row.backend, row.measurement))
        factor = cpu_factor = target = met = "-"
        if base is not None and row is not base:
            factor = f"{row.value / base.value:.3f}"
            if row.cpu is not None and base.cpu:
                cpu_factor = f"{row.cpu / base.cpu:.3f}"
            if row.judged:
                target = f"<= {TARGET:.2f}"
                met = "yes" if row.value / base.value <= TARGET else "NO"
        value = f"{row.value:.3f} s" if row.unit == "s" else f"{row.value:.2f} ms"
        cpu = "-" if row.cpu is None else f"{row.cpu:.2f}"
        texts = [row.backend, row.measurement, row.implementation, row.work, value, row.rate]
        lines.append([*texts, cpu, factor, cpu_factor, target, met])
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        texts, numbers = cells[:3], cells[3:]
        return "  ".join(
            [cell.ljust(width) for cell, width in zip(texts, widths, strict=False)]
            + [cell.rjust(width) for cell, width in zip(numbers, widths[3:], strict=True)]
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


# ---------------------------------------------------------------------------------------
# Appends.
# ---------------------------------------------------------------------------------------


def bench_appends(backend: KeyedBackend, cases: int, repeats: int) -> list[Row]:
    text = warm_up_appends(backend)
    names = ["sealed", "plain", "raw"]
    runs: dict[str, list[Timed]] = {name: [] for name in names}
    for repeat in range(repeats):
        for name in rotated(names, repeat):
            runs[name].append(measure_appends(backend, name, cases, text))
            run = runs[name][-1]
            progress(
                f"{backend.name} appends #{repeat + 1} {name}: {run.events} events in "
                f"{run.seconds:.2f} s (cpu {run.cpu:.2f} s)"
            )
    expected = {
        "sealed": cases * EVENTS_PER_CASE,
        "plain": cases * EVENTS_PER_CASE,
        "raw": cases * COMMANDS_PER_CASE,
    }
    for name in names:
        if any(run.events != expected[name] for run in runs[name]):
            raise AssertionError(f"{name} stored {runs[name]}, expected {expected[name]}")
    return [timed_row(backend.name, "appends", name, runs[name]) for name in names]


# ---------------------------------------------------------------------------------------
# Rebuilds.
# ---------------------------------------------------------------------------------------


def bench_rebuild(backend: KeyedBackend, events: int, repeats: int) -> list[Row]:
    names = sorted(PROJECTIONS)
    rows: list[Row] = []
    with ExitStack() as stack:
        apps: dict[str, tuple[CaseApplication, Settings]] = {}
        made: dict[str, Generated] = {}
        for implementation in IMPLEMENTATIONS:
            app, settings = stack.enter_context(case_app(backend, implementation, FixedClock(NOW)))
            made[implementation] = generate(app, settings, events)
            check_written_by(implementation, app)
            apps[implementation] = app, settings
            progress(
                f"{backend.name} generate {implementation}: {made[implementation].events} "
                f"events in {made[implementation].seconds:.1f} s"
            )
        if made["sealed"].events != made["plain"].events:
            raise AssertionError(f"the stores differ: {made}")
        for implementation, generated in made.items():
            rate = f"{generated.events / generated.seconds:,.0f} events/s"
            rows.append(
                Row(
                    backend.name,
                    "generate",
                    implementation,
                    f"{generated.events} events",
                    generated.seconds,
                    "s",
                    rate,
                )
            )
        measurements: dict[tuple[str, str], Callable[[], Run]] = {}
        for implementation, (app, settings) in apps.items():
            measurements["rebuild all", implementation] = partial(
                rebuild, app, settings, names, REBUILD_BATCH
            )
            measurements["raw read+decode", implementation] = partial(read_raw, app)
        for app, _settings in apps.values():
            read_raw(app)  # warm the page cache, the decoders and the key cache up
        runs: dict[tuple[str, str], list[Run]] = {what: [] for what in measurements}
        order = list(measurements)
        for repeat in range(repeats):
            for what in rotated(order, repeat):
                gc.collect()
                runs[what].append(measurements[what]())
                run = runs[what][-1]
                progress(
                    f"{backend.name} #{repeat + 1} {what[0]} {what[1]}: {run.events} events in "
                    f"{run.seconds:.2f} s (cpu {run.cpu:.2f} s)"
                )
    for measurement in ("rebuild all", "raw read+decode"):
        for implementation in IMPLEMENTATIONS:
            what = (measurement, implementation)
            rows.append(timed_row(backend.name, measurement, implementation, runs[what]))
    return rows


# ---------------------------------------------------------------------------------------
# GET /v1/cases/{id} on real servers.
# ---------------------------------------------------------------------------------------


@dataclass
class Served:
    implementation: str
    server: Server
    client: httpx.Client
    path: str
    events: int
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)


def start_served(
    backend: KeyedBackend,
    implementation: str,
    cache_size: int | None,
    workdir: Path,
    stack: ExitStack,
) -> Served:
    """A server of `implementation` on a fresh store (cache_size None: the default), with
    one realistic case opened through it; stopped and its store dropped by `stack`."""
    overrides: dict[str, Any] = {
        "jwt_secret": SecretStr(secrets.token_hex(32)),
        "postgres_pool_size": SERVER_POOL_SIZE,
    }
    if cache_size is not None:
        overrides["case_cache_size"] = cache_size
    settings = backend.settings(**overrides)
    stack.callback(backend.cleanup, settings)
    env = {
        **environment_of(settings),
        "GEZINSREGIE_POSTGRES_USER": settings.postgres_user,
        "GEZINSREGIE_KEY_ENCRYPTION_KEY": settings.key_encryption_key.get_secret_value(),
        "GEZINSREGIE_CASE_CACHE_SIZE": str(settings.case_cache_size),
    }
    port = free_port()
    log_path = workdir / f"server-{implementation}-{cache_size}-{port}.log"
    child = f"from bench.encryption import serve; serve({implementation!r}, {port})"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", child],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    stack.callback(stop_server, server)
    wait_healthy(server.base_url, process, HEALTH_SECONDS, lambda: f":\n{server.log_tail()}")
    headers = {"Authorization": f"Bearer {TokenService(settings).issue(COORDINATOR)}"}
    client = stack.enter_context(
        httpx.Client(base_url=server.base_url, headers=headers, timeout=10.0)
    )
    case_id = open_the_case(client, headers)
    checker = IMPLEMENTATIONS[implementation](settings, SystemClock())
    try:
        check_written_by(implementation, checker)
        events = sealed_events(checker)[1]  # the store holds this one case only
    finally:
        checker.close()
    return Served(implementation, server, client, f"/v1/cases/{case_id}", events)


def get_ms(served: Served) -> float:
    started = time.perf_counter()
    response = served.client.get(served.path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise AssertionError(f"{served.implementation}: {response.status_code} {response.text}")
    return elapsed


def bench_get(
    backend: KeyedBackend, cache_size: int | None, reads: int, repeats: int, workdir: Path
) -> list[Row]:
    measurement = "GET cache" if cache_size is None else f"GET cache {cache_size}"
    with ExitStack() as stack:
        servers = [
            start_served(backend, implementation, cache_size, workdir, stack)
            for implementation in IMPLEMENTATIONS
        ]
        for _ in range(WARMUP_READS):
            for served in servers:
                get_ms(served)
        for repeat in range(repeats):
            timings: dict[str, list[float]] = {served.implementation: [] for served in servers}
            for read in range(reads):
                first = (read + repeat) % len(servers)  # alternate which goes first
                for served in servers[first:] + servers[:first]:
                    timings[served.implementation].append(get_ms(served))
            for served in servers:
                values = timings[served.implementation]
                served.p50.append(statistics.median(values))
                served.p95.append(statistics.quantiles(values, n=100)[94])
                progress(
                    f"{backend.name} {measurement} #{repeat + 1} {served.implementation}: "
                    f"p50 {served.p50[-1]:.2f} ms, p95 {served.p95[-1]:.2f} ms"
                )
    return [
        Row(
            backend.name,
            measurement,
            served.implementation,
            f"{reads}x{repeats} reads, {served.events} ev",
            statistics.median(served.p50),
            "ms",
            f"p95 {statistics.median(served.p95):.2f} ms",
            judged=served.implementation == "sealed",
        )
        for served in servers
    ]


# ---------------------------------------------------------------------------------------
# The command line.
# ---------------------------------------------------------------------------------------


def verdicts(rows: list[Row]) -> list[str]:
    plain = {(r.backend, r.measurement): r for r in rows if r.implementation == "plain"}
    lines = []
    for row in rows:
        base = plain.get((row.backend, row.measurement))
        if row.judged and base is not None:
            factor = row.value / base.value
            verdict = "met" if factor <= TARGET else "MISSED"
            what = "p50" if row.unit == "ms" else "seconds"
            lines.append(
                f"{row.backend:8} {row.measurement:12} sealed/plain {what} {factor:.3f}"
                f"  (cost {(factor - 1) * 100:+.1f}%)  target <= {TARGET:.2f}: {verdict}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.encryption",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--cases",
        type=int,
        default=CASES,
        help=f"appends: case histories per run ({COMMANDS_PER_CASE} commands each)",
    )
    parser.add_argument("--events", type=int, default=EVENTS, help="rebuild: at least this many")
    parser.add_argument("--reads", type=int, default=READS, help="GET: per server per repeat")
    parser.add_argument("--pg-dbname", default="test")
    args = parser.parse_args(argv)

    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-encryption-") as root:
        for name in names:
            if name == "postgres":
                reason = postgres_unreachable(args.pg_dbname)
                if reason is not None:
                    print(f"postgres skipped: {reason}", file=sys.stderr)
                    continue
            backend = KeyedBackend(name, Path(root), args.pg_dbname, set())
            try:
                rows += bench_appends(backend, args.cases, args.repeats)
                rows += bench_rebuild(backend, args.events, args.repeats)
                for cache_size in (None, 0):
                    rows += bench_get(backend, cache_size, args.reads, args.repeats, Path(root))
            finally:
                backend.drop_leftovers()
    if rows:
        print(
            f"\nsealed = CaseApplication (AES-GCM per case / member), plain = the same with "
            f"SealingMapper(keys=None), raw = the bare library; median of {args.repeats}; "
            f"x plain = seconds (or p50) over plain's; {time.perf_counter() - started:.0f} s "
            f"in all\n"
        )
        print(table(rows))
        print()
        print("\n".join(verdicts(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
