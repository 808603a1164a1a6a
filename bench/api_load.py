"""Benchmark: the HTTP API under concurrent load, against the application in process.

Run from the project root (never run by CI; needs `pip install locust`):

    python -m bench.api_load [--seconds 30] [--clients 16] [--workers 1]
                             [--in-process-seconds 10] [--seed-cases 50] [--paced-fraction F]

HTTP      a real `gezinsregie serve --workers N` (uvicorn) on PostgreSQL, in a fresh schema
          of the `test` database, on a free port of 127.0.0.1. Cases are seeded through
          the API (opened, triaged, a coach assigned), then `--clients` concurrent users
          of locust (each on one connection of geventhttpclient, the client locust's
          FastHttpUser is built on) each act as one coach with their own cases, and as the
          team's coordinator. Two runs, each on a fresh schema and server:
            saturated  no wait between iterations: the most the server does (throughput);
                       latency is then clients / throughput, whatever the server's speed
            paced      the same clients paced to F (default 0.5) of the saturated
                       iteration rate: latency under a heavy load the server can carry
          Per iteration a client does:
            10%  POST /v1/cases (coordinator), then POST .../coach: the case becomes theirs
            30%  POST .../conversations on one of their cases
            10%  POST .../triage (coordinator, any seeded case of the team: may meet a
                 concurrent change, 409), .../time-registrations or .../safety-assessments
            50%  GET /v1/cases/{case_id} of one of their cases
          Latencies are each client's own per request (includes queueing in the
          server); the server's own per-request "ms" (its JSON request log) is shown too.
in-process the same mix, the same seeding, straight against CaseApplication on a fresh
          PostgreSQL schema from `--clients` threads, in one process: what the application
          does without HTTP, auth, validation, the privacy filter, the access log and
          serialisation. Half of it runs before the HTTP runs and half after (each on a
          fresh schema), as this machine's speed drifts.

Also shown: the CPU the server, the load generator and PostgreSQL used during each HTTP
run, and how long one small durable commit takes on this PostgreSQL (every event save
waits for one, one at a time under the event table's EXCLUSIVE lock).

Targets: p99 <= 50 ms for commands, <= 20 ms for GET /v1/cases/{case_id}; HTTP throughput
at least 0.5 of the in-process throughput. Throughput is judged on the saturated run, the
p99s on the paced one (on the saturated run if there is none): with no think time a
request's latency is mostly its wait behind the other clients' requests. Throughput
counts answered requests (2xx and the 409s of concurrent triage); a run in which any
request failed gets no verdict.
The server gets SIGTERM at the end (killed if it has not stopped within 10 s); every
schema made is dropped.

Locust monkey-patches the process it is imported in (gevent), so it runs in a child
process of its own; this process keeps real threads for the in-process measurement.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import random
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
from psycopg import sql

from application.cases import CaseApplication
from application.clock import SystemClock
from application.errors import ConcurrentChangeError
from application.persistence import postgres_conninfo
from application.settings import Settings, load_settings
from bench.served import wait_healthy
from bench.stores import drop_schema
from domain.authorization import Role, User
from domain.commands import (
    AssessSafety,
    AssignCoach,
    CaseCommand,
    HoldConversation,
    RegisterTime,
    Triage,
)
from domain.errors import DomainError, InvalidInputError
from domain.provenance import Actor
from domain.vocabulary import TriageOutcome
from interfaces.tokens import TokenService
from tests.factories import family, melding

ROOT = Path(__file__).resolve().parent.parent
ORGANISATION = "cjg-den-haag"
COORDINATOR_USER = User(
    "coordinator-1", ORGANISATION, frozenset({Role.COORDINATOR}), "den-haag", "centrum"
)
COORDINATOR_ACTOR = Actor(subject="coordinator-1", organisation=ORGANISATION, role="coordinator")
HEALTH_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
COMMAND_P99_TARGET_MS = 50.0
READ_P99_TARGET_MS = 20.0
RATIO_TARGET = 0.5
SPAWN_RATE = 100
"""Users started per second: all of them within a fraction of a second."""
CONNECTIONS_AT_START = 5
"""Besides the case store's pool, a worker opens one connection per projection view (their
pools grow on demand) and two for the access log."""

# ---------------------------------------------------------------------------------------
# The mix: one operation per client iteration, the same over HTTP and in process.
# ---------------------------------------------------------------------------------------

MIX: tuple[tuple[str, int], ...] = (
    ("open", 10),
    ("conversation", 30),
    ("triage", 4),
    ("time", 3),
    ("safety", 3),
    ("read", 50),
)
OPERATIONS = [name for name, _ in MIX]
WEIGHTS = [weight for _, weight in MIX]

OPEN = "POST /v1/cases"
ASSIGN = "POST /v1/cases/{case_id}/coach"
CONVERSATION = "POST /v1/cases/{case_id}/conversations"
TRIAGE = "POST /v1/cases/{case_id}/triage"
TIME = "POST /v1/cases/{case_id}/time-registrations"
SAFETY = "POST /v1/cases/{case_id}/safety-assessments"
READ = "GET /v1/cases/{case_id}"
ROUTES = [OPEN, ASSIGN, CONVERSATION, TRIAGE, TIME, SAFETY, READ]
COMMANDS: dict[str, type[CaseCommand]] = {
    CONVERSATION: HoldConversation,
    TRIAGE: Triage,
    TIME: RegisterTime,
    SAFETY: AssessSafety,
}
"""The case command behind each command route: the in-process rows."""
IN_PROCESS = {
    OPEN: "open_case",
    ASSIGN: "execute(AssignCoach)",
    READ: "get_case",
    **{route: f"execute({command.__name__})" for route, command in COMMANDS.items()},
}
"""What each route does in the process, for the table."""


def choose(rng: random.Random) -> str:
    return rng.choices(OPERATIONS, WEIGHTS)[0]


def coach_name(index: int) -> str:
    return f"coach-{index:02}"


def melding_json() -> dict[str, Any]:
    """A melding as the API takes it, as in tests/http/conftest.py (not imported from
    there: that module pulls in the test client and its deprecation notice)."""
    return {
        "municipality": "den-haag",
        "team": "centrum",
        "channel": "professional",
        "reporter_organisation": "school-de-linde",
        "reporter_professional": "teacher-7",
        "members": [{**m.as_dict(), "birth_date": str(m.birth_date)} for m in family()],
        "help_question_id": "hq-1",
        "help_question": "Ouders vragen hulp bij opvoeding",
        "problems_parents": ["gezin_en_opvoeding"],
        "problems_children": ["problemen_op_school"],
        "urgency": "normal",
    }


def conversation_json(rng: random.Random) -> dict[str, Any]:
    return {
        "kind": rng.choice(["help", "home_visit", "phone", "consultation"]),
        "minutes": str(rng.choice([15, 30, 45.5, 60])),
        "writing_minutes": "10",
        "participants": ["mother", "father"],
        "notes": "Gesprek over de situatie thuis en op school; afspraken gemaakt.",
    }


def triage_json(rng: random.Random) -> dict[str, Any]:
    return {"outcome": rng.choice(["single", "complex"]), "coordination_level": rng.randint(1, 4)}


def time_json(rng: random.Random) -> dict[str, Any]:
    return {"minutes": str(rng.choice([15, 30, 60])), "writing_minutes": "7.5"}


def safety_json(rng: random.Random) -> dict[str, Any]:
    return {
        "method": "signs_of_safety",
        "verdict": rng.choice(["safe", "concerns"]),
        "notes": "Geen acute zorgen; volgende week opnieuw bekijken.",
    }


def in_process_details(route: str, rng: random.Random) -> dict[str, Any]:
    """The same bodies as the API takes them, as the application's keywords."""
    if route == CONVERSATION:
        body = conversation_json(rng)
        return {
            **body,
            "conversation_id": f"conversation-{uuid4().hex[:12]}",
            "minutes": Decimal(body["minutes"]),
            "writing_minutes": Decimal(body["writing_minutes"]),
        }
    if route == TRIAGE:
        return triage_json(rng)
    if route == TIME:
        return {k: Decimal(v) for k, v in time_json(rng).items()}
    return safety_json(rng)


# ---------------------------------------------------------------------------------------
# PostgreSQL: a fresh schema per measurement, dropped at the end.
# ---------------------------------------------------------------------------------------


def base_settings(dbname: str, **overrides: Any) -> Settings:
    return load_settings(
        store="postgres", postgres_dbname=dbname, postgres_user="postgres", **overrides
    )


def postgres_unreachable(dbname: str) -> str | None:
    try:
        with psycopg.connect(postgres_conninfo(base_settings(dbname))):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def connection_headroom(dbname: str) -> tuple[int, int]:
    """(connections free now, max_connections): each server worker opens its pool at start."""
    with psycopg.connect(postgres_conninfo(base_settings(dbname))) as connection:
        row = connection.execute(
            "SELECT current_setting('max_connections')::int, "
            "current_setting('superuser_reserved_connections')::int, count(*) "
            "FROM pg_stat_activity WHERE backend_type = 'client backend'"
        ).fetchone()
    assert row is not None
    most, reserved, used = row
    return most - reserved - used, most


def create_schema(dbname: str, schemas: list[str]) -> str:
    schema = f"bench_{uuid4().hex[:12]}"
    with psycopg.connect(postgres_conninfo(base_settings(dbname)), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    schemas.append(schema)
    return schema


def drop_schemas(dbname: str, schemas: list[str]) -> None:
    for schema in schemas:
        drop_schema(base_settings(dbname), schema)  # and its key store's
    schemas.clear()


def commit_latency(dbname: str, schemas: list[str], commits: int = 300) -> str:
    """How long one small durable commit takes here: every event save waits for one,
    under the event table's EXCLUSIVE lock (so one at a time)."""
    schema = create_schema(dbname, schemas)
    table = sql.Identifier(schema, "commit_probe")
    latencies = []
    with psycopg.connect(postgres_conninfo(base_settings(dbname))) as connection:
        connection.execute(sql.SQL("CREATE TABLE {} (id bigserial PRIMARY KEY)").format(table))
        connection.commit()
        insert = sql.SQL("INSERT INTO {} DEFAULT VALUES").format(table)
        for _ in range(commits):
            started = time.perf_counter()
            connection.execute(insert)
            connection.commit()
            latencies.append((time.perf_counter() - started) * 1000)
    p50, _, p99 = percentiles(latencies) or (0.0, 0.0, 0.0)
    return (
        f"PostgreSQL here: a one-row INSERT + COMMIT takes p50 {p50:.2f} ms, p99 {p99:.2f} ms "
        f"({commits} in a row, one connection)"
    )


# ---------------------------------------------------------------------------------------
# Samples and their summary.
# ---------------------------------------------------------------------------------------

Sample = tuple[str, float, int]
"""(route, latency in ms, HTTP status; 0 when no response came)"""


@dataclass
class Measured:
    label: str
    seconds: float
    samples: list[Sample]
    server_ms: dict[str, list[float]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    """A few failed requests, to say what went wrong."""
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(is_error(sample[2]) for sample in self.samples)

    @property
    def throughput(self) -> float:
        """Answered requests per second: a failure is not throughput."""
        return (len(self.samples) - self.failed) / self.seconds


def percentiles(values: list[float]) -> tuple[float, float, float] | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def is_conflict(status: int) -> bool:
    return status == 409


def is_error(status: int) -> bool:
    return not 200 <= status < 300 and status != 409


def target_for(route: str) -> float:
    return READ_P99_TARGET_MS if route.startswith("GET") else COMMAND_P99_TARGET_MS


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def verdict_cells(route: str | None, p99: float | None) -> list[str]:
    """A route's p99 target and whether it was met; empty for the total."""
    if route is None or p99 is None:
        return ["", ""]
    target = target_for(route)
    return [f"<= {target:.0f}", "yes" if p99 <= target else "NO"]


def table(
    measured: Measured, names: Callable[[str], str], with_server: bool, judged: bool = True
) -> str:
    """One row per route and a total; `judged`: with each route's p99 target and verdict."""
    what, rate = ("endpoint", "req/s") if with_server else ("operation", "ops/s")
    header = [what, "count", rate, "p50 ms", "p95 ms", "p99 ms", "errors", "409"]
    if with_server:
        header += ["srv p50", "srv p99"]
    if judged:
        header += ["p99 target", "met"]
    by_route: dict[str, list[Sample]] = defaultdict(list)
    for sample in measured.samples:
        by_route[sample[0]].append(sample)
    order = [r for r in ROUTES if r in by_route] + sorted(set(by_route) - set(ROUTES))
    lines = []
    for route in [*order, None]:
        samples = measured.samples if route is None else by_route[route]
        cuts = percentiles([s[1] for s in samples])
        p50, p95, p99 = cuts if cuts else (None, None, None)
        line = [
            "total" if route is None else names(route),
            str(len(samples)),
            f"{sum(not is_error(s[2]) for s in samples) / measured.seconds:,.1f}",
            ms(p50),
            ms(p95),
            ms(p99),
            str(sum(is_error(s[2]) for s in samples)),
            str(sum(is_conflict(s[2]) for s in samples)),
        ]
        if with_server:
            server = (
                [v for values in measured.server_ms.values() for v in values]
                if route is None
                else measured.server_ms.get(route, [])
            )
            server_cuts = percentiles(server)
            line += [ms(server_cuts[0]), ms(server_cuts[2])] if server_cuts else ["-", "-"]
        if judged:
            line += verdict_cells(route, p99)
        lines.append(line)
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        first, *numbers = cells
        return "  ".join(
            [first.ljust(widths[0])]
            + [cell.rjust(width) for cell, width in zip(numbers, widths[1:], strict=True)]
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    body = [render(line) for line in lines]
    return "\n".join([render(header), rule, *body[:-1], rule, body[-1]])


# ---------------------------------------------------------------------------------------
# In process: CaseApplication from threads, no HTTP.
# ---------------------------------------------------------------------------------------


def timed(
    samples: list[Sample],
    errors: list[str],
    route: str,
    call: Callable[..., Any],
    *arguments: Any,
    **keywords: Any,
) -> Any:
    """Call, and record how long it took and how it ended, as the API would answer."""
    started = time.perf_counter()
    status, result = 200, None
    try:
        result = call(*arguments, **keywords)
    except InvalidInputError as error:
        status = 422
        errors.append(f"{route}: 422 {error}")
    except (ConcurrentChangeError, DomainError):
        status = 409
    except Exception as error:
        status = 500
        errors.append(f"{route}: {type(error).__name__}: {error}")
    samples.append((route, (time.perf_counter() - started) * 1000, status))
    return result


def seed_in_process(app: CaseApplication, clients: int, cases: int) -> list[list[UUID]]:
    own: list[list[UUID]] = [[] for _ in range(clients)]
    for number in range(cases):
        case_id, _ = app.open_case(COORDINATOR_ACTOR, **melding())
        app.execute(
            case_id, COORDINATOR_ACTOR, Triage(outcome=TriageOutcome.COMPLEX, coordination_level=3)
        )
        app.execute(
            case_id,
            COORDINATOR_ACTOR,
            AssignCoach(coach=coach_name(number % clients), organisation=ORGANISATION),
        )
        own[number % clients].append(case_id)
    return own


def in_process_client(
    app: CaseApplication,
    index: int,
    own: list[UUID],
    team: list[UUID],
    start: threading.Barrier,
    seconds: float,
    samples: list[Sample],
    errors: list[str],
) -> None:
    rng = random.Random(1000 + index)
    coach = Actor(subject=coach_name(index), organisation=ORGANISATION, role="coach")
    facts = melding()
    start.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        operation = choose(rng)
        if operation == "open":
            opened = timed(samples, errors, OPEN, app.open_case, COORDINATOR_ACTOR, **facts)
            if opened is None:
                continue
            case_id = opened[0]
            timed(
                samples,
                errors,
                ASSIGN,
                app.execute,
                case_id,
                COORDINATOR_ACTOR,
                AssignCoach(coach=coach.subject, organisation=ORGANISATION),
            )
            own.append(case_id)
        elif operation == "read":
            timed(samples, errors, READ, app.get_case, rng.choice(own))
        else:
            route = {"conversation": CONVERSATION, "triage": TRIAGE, "time": TIME}.get(
                operation, SAFETY
            )
            actor, case_id = (
                (COORDINATOR_ACTOR, rng.choice(team))
                if route == TRIAGE
                else (coach, rng.choice(own))
            )
            command = COMMANDS[route](**in_process_details(route, rng))
            timed(samples, errors, route, app.execute, case_id, actor, command)


def measure_in_process(args: argparse.Namespace, schemas: list[str], seconds: float) -> Measured:
    schema = create_schema(args.pg_dbname, schemas)
    settings = base_settings(
        args.pg_dbname, postgres_schema=schema, postgres_pool_size=args.pool_size
    )
    app = CaseApplication(settings, SystemClock())
    try:
        own = seed_in_process(app, args.clients, args.seed_cases)
        team = [case_id for cases in own for case_id in cases]
        start = threading.Barrier(args.clients + 1)
        per_thread: list[list[Sample]] = [[] for _ in range(args.clients)]
        errors: list[str] = []
        threads = [
            threading.Thread(
                target=in_process_client,
                args=(app, i, own[i], team, start, seconds, per_thread[i], errors),
                daemon=True,
            )
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        postgres_before = cpu_seconds(is_postgres)
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        postgres = cpu_seconds(is_postgres) - postgres_before
    finally:
        app.close()
    samples = [sample for samples in per_thread for sample in samples]
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    note = (
        f"in-process CPU, in cores of {os.cpu_count()}: "
        f"application {cpu / seconds:.2f}, postgres {postgres / seconds:.2f}"
    )
    return Measured("in-process", seconds, samples, examples=errors[:5], notes=[note])


def combined(before: Measured, after: Measured) -> Measured:
    """The in-process halves measured before and after the HTTP run, as one: this machine's
    speed drifts (its commit latency does), and the ratio should not depend on when."""
    return Measured(
        "in-process",
        before.seconds + after.seconds,
        before.samples + after.samples,
        examples=(before.examples + after.examples)[:5],
        notes=[
            f"in-process throughput before the HTTP run {before.throughput:,.1f} ops/s, "
            f"after it {after.throughput:,.1f} ops/s",
            f"{before.notes[0]} (before); {after.notes[0].split(': ', 1)[1]} (after)",
        ],
    )


# ---------------------------------------------------------------------------------------
# The server: a real uvicorn in a subprocess, stopped with SIGTERM.
# ---------------------------------------------------------------------------------------


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_server(settings: Settings, workers: int, secret: str, log_path: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "GEZINSREGIE_STORE": "postgres",
        "GEZINSREGIE_POSTGRES_DBNAME": settings.postgres_dbname,
        "GEZINSREGIE_POSTGRES_USER": settings.postgres_user,
        "GEZINSREGIE_POSTGRES_SCHEMA": settings.postgres_schema,
        "GEZINSREGIE_POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "GEZINSREGIE_JWT_SECRET": secret,
    }
    command = [
        str(Path(sys.executable).parent / "gezinsregie"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(process, f"http://127.0.0.1:{port}", log_path)


def stop_server(server: Server) -> str:
    """SIGTERM: uvicorn finishes what it is doing and closes the application."""
    if server.process.poll() is not None:
        return f"server had already exited ({server.process.returncode})"
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        log = server.log_path.read_text(errors="replace")
        graceful = log.count("Application shutdown complete")
        return (
            f"server stopped on SIGTERM in {time.monotonic() - started:.1f} s (exit {code}); "
            f"'Application shutdown complete' logged {graceful} time(s)"
        )
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)  # its own session: the server, workers
        server.process.wait()
        return f"server did not stop within {STOP_TIMEOUT_SECONDS:.0f} s of SIGTERM: killed"


def cpu_seconds(matches: Callable[[str, list[str]], bool]) -> float:
    """CPU (user + system) so far of the live processes that match (comm, stat fields)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if matches(comm, fields):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def in_session(session: int) -> Callable[[str, list[str]], bool]:
    return lambda comm, fields: int(fields[3]) == session


def is_postgres(comm: str, fields: list[str]) -> bool:
    return comm.startswith("postgres")


def route_of(method: str, path: str) -> str:
    """The route template of a logged path: the case id is the third part."""
    parts = path.split("/")
    if len(parts) > 3 and parts[1:3] == ["v1", "cases"]:
        parts[3] = "{case_id}"
    return f"{method} {'/'.join(parts)}"


def server_timings(log_path: Path, offset: int) -> dict[str, list[float]]:
    """The server's own request durations, from its JSON request log past `offset`."""
    timings: dict[str, list[float]] = defaultdict(list)
    with log_path.open("rb") as log:
        log.seek(offset)
        for raw in log:
            if not raw.startswith(b"{"):
                continue
            try:
                entry = json.loads(raw)
                timings[route_of(entry["method"], entry["path"])].append(float(entry["ms"]))
            except (ValueError, KeyError):
                continue
    return timings


# ---------------------------------------------------------------------------------------
# Over HTTP: seed through the API, then locust in a child process.
# ---------------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed_over_http(base_url: str, coordinator: str, clients: int, cases: int) -> list[list[str]]:
    own: list[list[str]] = [[] for _ in range(clients)]
    with httpx.Client(base_url=base_url, headers=bearer(coordinator), timeout=10.0) as client:
        for number in range(cases):
            opened = client.post("/v1/cases", json=melding_json())
            opened.raise_for_status()
            case_id = opened.json()["case_id"]
            client.post(
                f"/v1/cases/{case_id}/triage", json={"outcome": "complex", "coordination_level": 3}
            ).raise_for_status()
            coach = {"coach": coach_name(number % clients), "organisation": ORGANISATION}
            client.post(f"/v1/cases/{case_id}/coach", json=coach).raise_for_status()
            own[number % clients].append(case_id)
    return own


def locust_main(config_path: str, results_path: str) -> int:
    """The load generator, in its own process: `import locust` has patched it for gevent.

    Locust schedules and paces the users; each user talks to the server through a plain
    geventhttpclient connection of its own and notes every request itself. (Locust's
    FastHttpUser parses the URL, keeps cookies and logs every request into its own
    statistics: 0.42 ms of CPU per request here against 0.25 ms, taken from the same two
    cores the server runs on.)"""
    import gevent
    from geventhttpclient import HTTPClient
    from locust import User, constant, constant_throughput, task
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    samples: list[Sample] = []
    examples: list[str] = []
    numbers = itertools.count()
    json_body = {"content-type": "application/json"}

    class Client(User):
        host = config["host"]
        wait_time = (
            constant_throughput(config["rate"] / len(config["clients"]))
            if config["rate"]
            else constant(0)
        )

        def on_start(self) -> None:
            number = next(numbers)
            me = config["clients"][number % len(config["clients"])]
            self.http = HTTPClient.from_url(self.host, concurrency=1, network_timeout=60)
            self.rng = random.Random(number)
            self.coach = me["coach"]
            self.own: list[str] = list(me["cases"])
            self.team: list[str] = config["team"]
            self.as_coach = bearer(me["token"])
            self.as_coordinator = bearer(config["coordinator"])
            self.melding = json.dumps(melding_json()).encode()

        def on_stop(self) -> None:
            self.http.close()

        def call(
            self, route: str, path: str, body: bytes | None, headers: Any
        ) -> tuple[int, bytes]:
            """One request, noted as a sample of `route`: its status and body."""
            started = time.perf_counter()
            try:
                if body is None:
                    response = self.http.get(path, headers=headers)
                else:
                    response = self.http.post(path, body, headers={**headers, **json_body})
                status, content = response.status_code, response.read()
            except Exception as error:  # a broken connection counts as a failed request
                status, content = 0, repr(error).encode()
            samples.append((route, (time.perf_counter() - started) * 1000, status))
            if is_error(status) and len(examples) < 5:
                examples.append(f"{route}: {status} {content[:200]!r}")
            return status, content

        def post(self, route: str, case_id: str, body: Any, headers: Any) -> tuple[int, bytes]:
            path = route.removeprefix("POST ").replace("{case_id}", case_id)
            encoded = body if isinstance(body, bytes) else json.dumps(body).encode()
            return self.call(route, path, encoded, headers)

        @task
        def iteration(self) -> None:
            operation = choose(self.rng)
            if operation == "open":
                status, content = self.post(OPEN, "", self.melding, self.as_coordinator)
                if status != 201:
                    return
                case_id = json.loads(content)["case_id"]
                coach = {"coach": self.coach, "organisation": ORGANISATION}
                if self.post(ASSIGN, case_id, coach, self.as_coordinator)[0] == 200:
                    self.own.append(case_id)
            elif operation == "read":
                case_id = self.rng.choice(self.own)
                self.call(READ, f"/v1/cases/{case_id}", None, self.as_coach)
            elif operation == "conversation":
                body = conversation_json(self.rng)
                self.post(CONVERSATION, self.rng.choice(self.own), body, self.as_coach)
            elif operation == "triage":
                body = triage_json(self.rng)
                self.post(TRIAGE, self.rng.choice(self.team), body, self.as_coordinator)
            elif operation == "time":
                self.post(TIME, self.rng.choice(self.own), time_json(self.rng), self.as_coach)
            else:
                body = safety_json(self.rng)
                self.post(SAFETY, self.rng.choice(self.own), body, self.as_coach)

    environment = Environment(user_classes=[Client], host=config["host"])
    runner = environment.create_local_runner()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    runner.start(len(config["clients"]), spawn_rate=SPAWN_RATE)
    gevent.sleep(config["seconds"])
    seconds = time.perf_counter() - started
    measured = len(samples)
    runner.quit()  # the users are stopped; what they had in flight is not counted
    del samples[measured:]
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    results = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False)),
        "samples": samples,
        "examples": examples,
    }
    Path(results_path).write_text(json.dumps(results))
    return 0


def run_locust(config: dict[str, Any], workdir: Path) -> dict[str, Any]:
    config_path, results_path = workdir / "locust-config.json", workdir / "locust-results.json"
    config_path.write_text(json.dumps(config))
    child = (
        "import locust, sys\n"  # first: it monkey-patches the child for gevent
        "from bench.api_load import locust_main\n"
        "sys.exit(locust_main(sys.argv[1], sys.argv[2]))\n"
    )
    limit = config["seconds"] + 60
    subprocess.run(
        [sys.executable, "-c", child, str(config_path), str(results_path)],
        cwd=ROOT,
        check=True,
        timeout=limit,
    )
    results: dict[str, Any] = json.loads(results_path.read_text())
    return results


def measure_http(
    args: argparse.Namespace, schemas: list[str], workdir: Path, rate: float = 0.0
) -> Measured:
    """One HTTP run on a fresh schema and a fresh server; `rate` paces the clients to that
    many iterations/s in all (0: as fast as the server answers)."""
    schema = create_schema(args.pg_dbname, schemas)
    secret = secrets.token_hex(32)
    settings = base_settings(
        args.pg_dbname,
        postgres_schema=schema,
        postgres_pool_size=args.pool_size,
        jwt_secret=secret,
    )
    CaseApplication(settings, SystemClock()).close()  # the tables, before workers race for them
    tokens = TokenService(settings)
    coordinator = tokens.issue(COORDINATOR_USER)
    coaches = [
        tokens.issue(User(coach_name(i), ORGANISATION, frozenset({Role.COACH})))
        for i in range(args.clients)
    ]
    server = start_server(settings, args.workers, secret, workdir / "server.log")
    notes = []
    try:
        wait_healthy(
            server.base_url,
            server.process,
            HEALTH_TIMEOUT_SECONDS,
            lambda: f":\n{server.log_tail()}",
        )
        own = seed_over_http(server.base_url, coordinator, args.clients, args.seed_cases)
        config = {
            "host": server.base_url,
            "seconds": args.seconds,
            "rate": rate,
            "coordinator": coordinator,
            "team": [case_id for cases in own for case_id in cases],
            "clients": [
                {"coach": coach_name(i), "token": coaches[i], "cases": own[i]}
                for i in range(args.clients)
            ],
        }
        offset = server.log_path.stat().st_size
        session = server.process.pid
        server_cpu, postgres_cpu = cpu_seconds(in_session(session)), cpu_seconds(is_postgres)
        results = run_locust(config, workdir)
        server_cpu = cpu_seconds(in_session(session)) - server_cpu
        postgres_cpu = cpu_seconds(is_postgres) - postgres_cpu
        exited_early = server.process.poll() is not None
    except BaseException:
        print(f"server log, last lines:\n{server.log_tail(40)}", file=sys.stderr)
        raise
    finally:
        notes.append(stop_server(server))
    seconds = results["seconds"]
    samples = [(name, float(latency), int(status)) for name, latency, status in results["samples"]]
    server_share = "exited during the run" if exited_early else f"{server_cpu / seconds:.2f}"
    notes.append(
        f"CPU during the run, in cores of {os.cpu_count()}: server {server_share}, "
        f"load generator {results['cpu_seconds'] / seconds:.2f}, "
        f"postgres {postgres_cpu / seconds:.2f}"
        + (" (locust warned: its CPU was above 90%)" if results["cpu_warning"] else "")
    )
    timings = server_timings(server.log_path, offset)
    if not timings:
        notes.append("no JSON request log lines from the server: no server-side timings")
    return Measured(
        "HTTP", seconds, samples, server_ms=timings, examples=results["examples"], notes=notes
    )


# ---------------------------------------------------------------------------------------
# Reporting and the command line.
# ---------------------------------------------------------------------------------------


def iterations_per_second(measured: Measured) -> float:
    """Client iterations: every request but the coach assignment that follows an opening."""
    return sum(sample[0] != ASSIGN for sample in measured.samples) / measured.seconds


def http_section(
    measured: Measured, args: argparse.Namespace, what: str, judged: bool
) -> list[str]:
    return [
        "",
        f"HTTP, {what}: {args.clients} locust clients against `gezinsregie serve --workers "
        f"{args.workers}`, {measured.seconds:.1f} s, {args.seed_cases} seeded cases",
        "",
        table(measured, lambda route: route, with_server=True, judged=judged),
    ]


def p99_verdicts(measured: Measured, not_judged: str) -> list[str]:
    """The p99 targets, as the run `measured` met them: the worst command's, the GET's
    (`not_judged`: why there is no verdict, if there is none)."""
    p99: dict[str, float] = {}
    for route in ROUTES:
        cuts = percentiles([s[1] for s in measured.samples if s[0] == route])
        if cuts is not None:
            p99[route] = cuts[2]
    commands = {route: value for route, value in p99.items() if route != READ}
    lines = []
    for what, values, target in (
        ("commands, worst", commands, COMMAND_P99_TARGET_MS),
        ("GET", {READ: p99[READ]} if READ in p99 else {}, READ_P99_TARGET_MS),
    ):
        if not values:
            continue
        route, worst = max(values.items(), key=lambda item: item[1])
        verdict = not_judged or ("met" if worst <= target else "MISSED")
        lines.append(
            f"p99 {what:15} {worst:8.1f} ms     target <= {target:.0f} ms: {verdict}"
            f"   ({measured.label}: {route})"
        )
    return lines


def report(
    http: Measured, paced: Measured | None, local: Measured, args: argparse.Namespace, probe: str
) -> str:
    """The tables and the verdicts: throughput on the saturated run, latency on the paced
    one (at saturation a request's latency is queueing: clients / throughput)."""
    ratio = http.throughput / local.throughput
    failed = {m.label: m.failed for m in (http, paced, local) if m is not None and m.failed}
    not_judged = (
        "NOT JUDGED, requests failed: " + ", ".join(f"{k} {v}" for k, v in failed.items())
        if failed
        else ""
    )
    verdict = not_judged or ("met" if ratio >= RATIO_TARGET else "MISSED")
    lines = http_section(http, args, "saturated (no think time: throughput)", judged=paced is None)
    if paced is not None:
        lines += [
            "(latency here is queueing, clients / throughput: the p99 targets are judged on "
            "the paced run)"
        ]
        lines += http_section(
            paced,
            args,
            f"paced at {args.paced_fraction:g} of the saturated rate "
            f"({paced.notes[0]}: latency under load)",
            judged=True,
        )
    lines += [
        "",
        f"in-process: the same mix on CaseApplication from {args.clients} threads, "
        f"{local.seconds:.1f} s (half before the HTTP runs, half after)",
        "",
        table(local, lambda route: IN_PROCESS[route], with_server=False),
        "",
        f"HTTP throughput        {http.throughput:8,.1f} req/s (saturated)",
        f"in-process throughput  {local.throughput:8,.1f} ops/s",
        f"ratio HTTP/in-process  {ratio:8.2f}        target >= {RATIO_TARGET}: {verdict}",
        *p99_verdicts(paced or http, not_judged),
    ]
    for measured in (http, paced):
        if measured is not None:
            lines += [f"{measured.label}: {note}" for note in measured.notes]
    lines += [*local.notes, probe]
    for measured in (http, paced, local):
        if measured is not None and measured.examples:
            lines.append(f"{measured.label} errors, e.g.:")
            lines += [f"  {example}" for example in measured.examples]
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api_load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="HTTP load duration")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients / threads")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--in-process-seconds",
        type=float,
        default=10.0,
        help="in all: half before the HTTP run, half after it",
    )
    parser.add_argument("--seed-cases", type=int, default=50)
    parser.add_argument("--pool-size", type=int, default=20, help="PostgreSQL pool per process")
    parser.add_argument("--pg-dbname", default="test")
    parser.add_argument(
        "--paced-fraction",
        type=float,
        default=0.5,
        help="after the saturated run, a second HTTP run with the clients paced to this "
        "fraction of the saturated iteration rate, for latency under load (0: none)",
    )
    args = parser.parse_args(None if argv is None else list(argv))
    args.seed_cases = max(args.seed_cases, args.clients)  # every client owns a case

    if importlib.util.find_spec("locust") is None:
        print("locust is not installed: pip install locust", file=sys.stderr)
        return 2
    reason = postgres_unreachable(args.pg_dbname)
    if reason is not None:
        print(f"postgres unreachable: {reason}", file=sys.stderr)
        return 2
    free, most = connection_headroom(args.pg_dbname)
    needed = args.workers * (args.pool_size + CONNECTIONS_AT_START)
    if needed > free:
        print(
            f"warning: {args.workers} worker(s) open {needed} PostgreSQL connections at "
            f"start (pool {args.pool_size} + {CONNECTIONS_AT_START} each); {free} of "
            f"{most} are free now: a worker that cannot connect stops the server",
            file=sys.stderr,
        )
    load_before = load_average()
    schemas: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-api-") as workdir:
            probe = commit_latency(args.pg_dbname, schemas)
            half = args.in_process_seconds / 2
            print("in-process measurement, first half...", file=sys.stderr, flush=True)
            before = measure_in_process(args, schemas, half)
            print("HTTP measurement, saturated...", file=sys.stderr, flush=True)
            http = measure_http(args, schemas, Path(workdir))
            http.label = "HTTP saturated"
            paced = None
            if args.paced_fraction > 0:
                rate = args.paced_fraction * iterations_per_second(http)
                print(f"HTTP measurement, paced at {rate:.0f} iterations/s...", file=sys.stderr)
                paced = measure_http(args, schemas, Path(workdir), rate)
                paced.label = "HTTP paced"
                paced.notes.insert(0, f"{rate:,.0f} iterations/s in all")
            print("in-process measurement, second half...", file=sys.stderr, flush=True)
            local = combined(before, measure_in_process(args, schemas, half))
    finally:
        drop_schemas(args.pg_dbname, schemas)
    probe += (
        f"\nmachine load average (1 min) at the start {load_before}, at the end "
        f"{load_average()}, on {os.cpu_count()} CPUs: other work on it skews every figure"
    )
    print(report(http, paced, local, args, probe))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
