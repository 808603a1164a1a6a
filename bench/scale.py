"""Benchmark: do reads stay flat as a region's store grows? Never run by CI.

    python -m bench.scale [--sizes 10000 100000 1000000] [--processes 2] [--reads 1000]
                          [--loader bulk|demo] [--rebuild-args "--all"] [--pg-dbname test]
                          [--keep] [--measure-schema SCHEMA]

One new PostgreSQL schema is filled step by step up to each size, by `--processes`
processes at once (each its own seed), with:

- `--loader bulk` (the default): `bench.bulk_load`, cases cloned from prefixes of demo
  histories (~10 events a case, each case its own ids, data keys and seals; coaches renamed
  per block of 1,000 cases so a coach's caseload stays realistic), written with COPY at
  tens of thousands of events a second. The views are then built by `gezinsregie
  projections rebuild --all --processes 2`, timed as "initial build": catching up 10^7
  events in the serving process would take hours;
- `--loader demo`: the demo cases themselves (realistic histories built in the domain,
  `application.demo.write_demo`, ~30 events a case, ~4k events/s), caught up by the
  serving process as before.

At each size the API is served by uvicorn (one worker, in this process), waits until its
views have caught up, and each read is timed `--reads` times by users of the demo
organisations:

overview page       GET /v1/overview?municipality=den-haag&limit=50 (coordinator)
overview, coach     GET /v1/overview?limit=50 (a coach: own cases)
overview, signal    GET /v1/overview?municipality=den-haag&signal=no_coach&limit=50
waitlist page       GET /v1/waitlist?municipality=den-haag&limit=50
providers page      GET /v1/waitlist/providers?municipality=den-haag&limit=50
providers summary   GET /v1/waitlist/providers/summary?municipality=den-haag (every wait)
caseload            GET /v1/caseload?municipality=den-haag&limit=50
case list           GET /v1/cases?municipality=den-haag&limit=50
name search         POST /v1/cases/search {name, birth_date, municipality} (a member of the
                    case below, as the coordinator reads it)
case                GET /v1/cases/{id}
access log of case  GET /v1/cases/{id}/access-log?limit=50 (full pages: the case was read)
command             POST /v1/cases/{id}/waitlist/contacts (a waiting family)

then `gezinsregie close-inactive` and (with `--rebuild-args`, or `--loader demo`)
`gezinsregie projections rebuild <rebuild-args>` are run and timed as commands; the store's
size on disk is printed per size. The table gives p50/p99 per size and the p99's ratio to
the smallest size's (target <= 1.5, and p99 <= 100 ms). A read the server does not offer
(404, 405) is reported as such, not timed; each read is called `WARM_UP` times untimed
first (a service in use has warm caches). The raw floors printed beside them, for the
machine's own noise: the same number of `SELECT 1` round trips to PostgreSQL, and of
one-row INSERTs each committed (what a command and a logged read wait for).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from uuid import uuid4

import httpx
import psycopg
from pydantic import SecretStr

from application.cases import CaseApplication
from application.clock import SystemClock
from application.demo import write_demo
from application.persistence import postgres_conninfo, setup_lock
from application.settings import Settings, load_settings
from bench.bulk_load import bulk_load, store_size
from bench.pages import served
from bench.stores import drop_schema, postgres_unreachable
from domain.authorization import Role, User
from interfaces.http.app import create_app
from interfaces.tokens import TokenService

TARGET_RATIO = 1.5
TARGET_MS = 100.0


def settings_for(schema: str, dbname: str, kek: str) -> Settings:
    return load_settings(
        store="postgres",
        postgres_dbname=dbname,
        postgres_user="postgres",
        postgres_schema=schema,
        key_encryption_key=SecretStr(kek),
        jwt_secret=SecretStr("bench-scale-" + "s" * 40),
        projections_in_process=True,  # one process serves and keeps the views current
    )


def env_for(settings: Settings) -> dict[str, str]:
    """The environment under which a `gezinsregie` command uses this store."""
    return {
        **os.environ,
        "GEZINSREGIE_STORE": "postgres",
        "GEZINSREGIE_POSTGRES_DBNAME": settings.postgres_dbname or "",
        "GEZINSREGIE_POSTGRES_USER": settings.postgres_user,
        "GEZINSREGIE_POSTGRES_SCHEMA": settings.postgres_schema,
        "GEZINSREGIE_KEY_ENCRYPTION_KEY": settings.key_encryption_key.get_secret_value(),
        "GEZINSREGIE_JWT_SECRET": settings.jwt_secret.get_secret_value(),
    }


def load_part(schema: str, dbname: str, kek: str, cases: int, seed: int) -> int:
    """One loading process: `cases` demo cases with its own seed; returns events written."""
    settings = settings_for(schema, dbname, kek)
    with setup_lock(settings):  # opening makes missing tables: one process at a time
        app = CaseApplication(settings, SystemClock())
    try:
        before = app.position()
        write_demo(app, cases, seed=seed)
        return app.position() - before
    finally:
        app.close()


def load_demo(settings: Settings, cases: int, processes: int, step: int) -> float:
    """Add `cases` demo cases with `processes` writers; returns seconds taken."""
    CaseApplication(settings, SystemClock()).close()  # the tables, made once before the writers
    started = time.perf_counter()
    share = [cases // processes + (1 if i < cases % processes else 0) for i in range(processes)]
    args = (settings.postgres_schema, settings.postgres_dbname or "")
    kek = settings.key_encryption_key.get_secret_value()
    with ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(load_part, *args, kek, n, 1000 * step + i) for i, n in enumerate(share) if n
        ]
        for future in futures:
            future.result()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def timed_reads(call: Callable[[], httpx.Response], reads: int) -> list[float] | str:
    """Milliseconds per call, or why the read is not offered. `WARM_UP` calls go first,
    untimed: a service in use has its caches warm (else a cold first read of an index
    after the build is the p99 of 100)."""
    for _ in range(WARM_UP):
        call()
    spent = []
    for _ in range(reads):
        start = time.perf_counter()
        answer = call()
        spent.append((time.perf_counter() - start) * 1000)
        if answer.status_code in (404, 405) and not spent[:-1]:
            return f"not offered ({answer.status_code})"
        if answer.status_code >= 300:
            raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return spent


WARM_UP = 5


def raw_floor(settings: Settings, reads: int) -> list[float]:
    """`SELECT 1` round trips: the machine's own noise for a read."""
    spent = []
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        for _ in range(reads):
            start = time.perf_counter()
            connection.execute("SELECT 1").fetchall()
            spent.append((time.perf_counter() - start) * 1000)
    return spent


def commit_floor(settings: Settings, reads: int) -> list[float]:
    """One-row INSERTs, each committed (a flush of the write-ahead log): the machine's own
    noise for what every command and every logged read waits for."""
    spent = []
    table = f'"{settings.postgres_schema}".bench_commit_floor'
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {table} (n int)")
        for n in range(reads):
            start = time.perf_counter()
            connection.execute(f"INSERT INTO {table} VALUES (%s)", (n,))
            spent.append((time.perf_counter() - start) * 1000)
        connection.execute(f"DROP TABLE {table}")
    return spent


def measure(settings: Settings, reads: int) -> dict[str, list[float] | str]:
    """Every read of the table, `reads` times, against the served API."""
    tokens = TokenService(settings)
    care = frozenset({Role.COORDINATOR})
    coordinator = tokens.issue(User("bench-coordinator", "cjg-den-haag", care, "den-haag"))
    coach = tokens.issue(User("coach-anna", "cjg-den-haag", frozenset({Role.COACH}), "den-haag"))
    app = create_app(settings)
    with served(app) as base_url:
        api = httpx.Client(base_url=base_url, timeout=120)
        as_coordinator = {"Authorization": f"Bearer {coordinator}"}
        as_coach = {"Authorization": f"Bearer {coach}"}
        while any(v["lag"] for v in api.get("/health").json()["views"].values()):
            time.sleep(1)
        waiting = api.get(
            "/v1/waitlist", params={"municipality": "den-haag"}, headers=as_coordinator
        ).json()["families"]
        case_id = waiting[0]["case_id"]
        place = {"municipality": "den-haag"}
        shown = api.get(f"/v1/cases/{case_id}", headers=as_coordinator).json()
        member = next(m for m in shown["members"] if m.get("name") and m.get("birth_date"))
        by_name = {"name": member["name"], "birth_date": member["birth_date"], **place}

        def get(
            path: str, headers: dict[str, str], **params: str | int
        ) -> Callable[[], httpx.Response]:
            return lambda: api.get(path, params=params, headers=headers)

        found: dict[str, list[float] | str] = {
            "overview page": timed_reads(
                get("/v1/overview", as_coordinator, **place, limit=50), reads
            ),
            "overview, coach": timed_reads(get("/v1/overview", as_coach, limit=50), reads),
            "overview, signal": timed_reads(
                get("/v1/overview", as_coordinator, **place, signal="no_coach", limit=50), reads
            ),
            "waitlist page": timed_reads(
                get("/v1/waitlist", as_coordinator, **place, limit=50), reads
            ),
            "providers page": timed_reads(
                get("/v1/waitlist/providers", as_coordinator, **place, limit=50), reads
            ),
            "providers summary": timed_reads(
                get("/v1/waitlist/providers/summary", as_coordinator, **place), reads
            ),
            "caseload": timed_reads(get("/v1/caseload", as_coordinator, **place, limit=50), reads),
            "case list": timed_reads(get("/v1/cases", as_coordinator, **place, limit=50), reads),
            "name search": timed_reads(
                lambda: api.post("/v1/cases/search", json=by_name, headers=as_coordinator), reads
            ),
            # The case first: its reads are logged, so its access log holds full pages at
            # every size (a first run's log of the case would otherwise be nearly empty).
            "case": timed_reads(get(f"/v1/cases/{case_id}", as_coordinator), reads),
            "access log of case": timed_reads(
                get(f"/v1/cases/{case_id}/access-log", as_coordinator, limit=50), reads
            ),
            "command": timed_reads(
                lambda: api.post(f"/v1/cases/{case_id}/waitlist/contacts", headers=as_coordinator),
                reads,
            ),
        }
        found["SELECT 1 (raw floor)"] = raw_floor(settings, reads)
        found["commit (raw floor)"] = commit_floor(settings, reads)
    return found


def command_seconds(settings: Settings, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "interfaces.cli", *args],
        env=env_for(settings),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--reads", type=int, default=1000, help="timed calls per read (its p99 is the 10th slowest)"
    )
    parser.add_argument("--loader", choices=["bulk", "demo"], default="bulk")
    parser.add_argument(
        "--rebuild-args",
        default=None,
        help='a rebuild after the reads (default: "--all" for --loader demo; none for bulk,'
        " whose initial build is that rebuild: --all --processes 2)",
    )
    parser.add_argument("--pg-dbname", default="test")
    parser.add_argument("--keep", action="store_true", help="do not drop the schema")
    parser.add_argument(
        "--measure-schema",
        help="only time the reads on this schema, loaded by an earlier --keep run (its key in"
        " GEZINSREGIE_KEY_ENCRYPTION_KEY)",
    )
    args = parser.parse_args()
    if (reason := postgres_unreachable(args.pg_dbname)) is not None:
        sys.exit(f"PostgreSQL is needed: {reason}")
    if args.measure_schema:
        measure_existing(args.measure_schema, args.pg_dbname, args.reads)
        return
    kek = os.environ.get("GEZINSREGIE_KEY_ENCRYPTION_KEY") or secrets.token_hex(32)
    settings = settings_for(f"bench_scale_{uuid4().hex[:12]}", args.pg_dbname, kek)
    if args.keep:
        print(f"schema {settings.postgres_schema} (kept; its key as given, or printed at the end)")
    results: dict[int, dict[str, list[float] | str]] = {}
    loaded = 0
    try:
        for step, size in enumerate(sorted(args.sizes)):
            if args.loader == "bulk":
                bulk = bulk_load(
                    settings, size - loaded, first=loaded, processes=args.processes, seed=step + 1
                )
                print(bulk, flush=True)
                took = bulk.seconds
                building = command_seconds(
                    settings, "projections", "rebuild", "--all", "--processes", "2"
                )
            else:
                took = load_demo(settings, size - loaded, args.processes, step)
            loaded = size
            cases = CaseApplication(settings, SystemClock())
            events = cases.position()
            cases.close()
            print(
                f"{size:,} cases ({events:,} events): loaded in {took:.0f} s,"
                f" {store_size(settings) / 2**20:,.0f} MiB on disk",
                flush=True,
            )
            results[size] = {}
            if args.loader == "bulk":
                print(f"initial build of the views: {building:.0f} s", flush=True)
                results[size]["initial build (s)"] = [building * 1000]
            results[size].update(measure(settings, args.reads))
            closing = command_seconds(settings, "close-inactive")
            results[size]["close-inactive (s)"] = [closing * 1000]
            rebuild_args = args.rebuild_args
            if rebuild_args is None and args.loader == "demo":
                rebuild_args = "--all"
            if rebuild_args is not None:
                rebuilding = command_seconds(
                    settings, "projections", "rebuild", *rebuild_args.split()
                )
                results[size]["rebuild (s)"] = [rebuilding * 1000]
            print_table(results)
    finally:
        if not args.keep:
            drop_schema(settings)
        elif "GEZINSREGIE_KEY_ENCRYPTION_KEY" not in os.environ:
            print(f"its key: GEZINSREGIE_KEY_ENCRYPTION_KEY={kek}")


def measure_existing(schema: str, dbname: str, reads: int) -> None:
    """Time the reads on a store loaded before (after the code of its reads changed)."""
    settings = settings_for(schema, dbname, os.environ["GEZINSREGIE_KEY_ENCRYPTION_KEY"])
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        found = connection.execute(
            f"SELECT count(*) FROM \"{schema}\".case_index_rows WHERE kind = 'case'"
        ).fetchone()
    cases = found[0] if found else 0
    print_table({cases: measure(settings, reads)})


def print_table(results: dict[int, dict[str, list[float] | str]]) -> None:
    sizes = sorted(results)
    smallest = sizes[0]
    head = f"{'read':<22}" + "".join(f" {f'{s:,} p50/p99':>22}" for s in sizes)
    print(f"\n{head}  p99 ratio to {smallest:,}  (ms; commands in s)")
    for name in results[smallest]:
        cells, ratio = [], ""
        for size in sizes:
            spent = results[size].get(name, "-")
            if isinstance(spent, str):
                cells.append(f" {spent:>22}")
            elif name.endswith("(s)"):
                cells.append(f" {spent[0] / 1000:>22.1f}")
            else:
                cells.append(f" {statistics.median(spent):>10.1f}/{percentile(spent, 0.99):>11.1f}")
        first, last = results[smallest].get(name), results[sizes[-1]].get(name)
        if isinstance(first, list) and isinstance(last, list) and not name.endswith("(s)"):
            r = percentile(last, 0.99) / percentile(first, 0.99)
            ok = r <= TARGET_RATIO and percentile(last, 0.99) <= TARGET_MS
            ratio = f"  {r:.2f} {'yes' if ok else 'NO'}"
        print(f"{name:<22}" + "".join(cells) + ratio)


if __name__ == "__main__":
    main()
