"""Benchmark: how fast the case application appends events, against the bare library.

Run from the project root (never run by CI):

    python -m bench.append [--events N] [--backend sqlite|postgres|both]
                           [--workload commands|fresh|both] [--repeats R] [--profile]

Workloads, each measured on a fresh store (a temporary SQLite dir, or a new PostgreSQL
schema in the `test` database that is dropped afterwards):

commands  realistic case histories through CaseApplication: open_case, then one get ->
          call -> save per command (triage, conversations, consent, waitlist, coach,
          round table, plan, referral, safety, ..., close). Against it, "raw": a bare
          `eventsourcing` aggregate in a plain `Application`, the same number of cases and
          the same number of commands, each get -> one event -> save, with an event state
          of the same average stored size.
fresh     one case of the same history built in memory and saved at once, per case
          (FRESH_SCALE times as many cases, as each is one save); against it one bare
          aggregate with as many events, saved at once.

Each measurement is repeated (default 3 times) and the median is reported; the ratio is
app events/s divided by raw events/s (the "cmd ratio" compares commands/s instead: the
application's assign_coach writes two events while the family is waiting).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from application.cases import CaseApplication
from application.clock import FixedClock
from application.persistence import eventsourcing_env
from application.settings import Settings, load_settings
from bench.stores import drop_schema, postgres_unreachable
from domain.case import Case
from domain.commands import (
    AcceptReferral,
    AdoptPlan,
    AnswerHelpQuestion,
    AssessSafety,
    AssignCoach,
    CaseCommand,
    CloseCase,
    ContactWaitingFamily,
    EndCare,
    EvaluatePlan,
    GrantConsent,
    HoldConversation,
    HoldRoundTable,
    PlaceOnWaitlist,
    RecordBrokenAgreement,
    RegisterTime,
    RequestReferral,
    RevisePlan,
    StartCare,
    Triage,
)
from domain.plan import Agreement, Goal
from domain.provenance import Actor, Provenance
from domain.vocabulary import (
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    ReferralDestination,
    RelapseRisk,
    SafetyMethod,
    SafetyVerdict,
    TriageOutcome,
)
from tests.factories import COACH, COORDINATOR, melding

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)
"""The clock moves one minute before every command, so nothing lies in the future."""
REPEATS = 3
WARMUP_CASES = 2
FRESH_SCALE = 10
"""The fresh workload saves each case once: it does this many times as many cases."""

# ---------------------------------------------------------------------------------------
# The case history: what a coordinator and a coach record for one family.
# ---------------------------------------------------------------------------------------

Details = Callable[[date], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    command: type[CaseCommand]
    actor: Actor
    details: Details


def _conversation(conversation_id: str, kind: ConversationKind, minutes: str) -> Details:
    return lambda today: {
        "conversation_id": conversation_id,
        "kind": kind,
        "minutes": Decimal(minutes),
        "writing_minutes": Decimal("12.5"),
        "participants": ["mother", "father"],
        "notes": "Gesprek over de situatie thuis en op school; afspraken gemaakt.",
    }


def _consent(consent_id: str, purpose: ConsentPurpose, organisation: str) -> Details:
    return lambda today: {
        "consent_id": consent_id,
        "given_by": ["mother", "father"],
        "about": ["mother", "father", "child"],
        "organisation": organisation,
        "categories": [DataCategory.IDENTITY, DataCategory.HELP_QUESTION, DataCategory.PLAN],
        "purpose": purpose,
        "form": ConsentForm.WRITTEN,
    }


def _plan(today: date, version: int) -> dict[str, Any]:
    return {
        "goals": [
            Goal(f"g{version}-1", "child", "school", "Het kind gaat weer elke dag naar school"),
            Goal(f"g{version}-2", "mother", "opvoeding", "Moeder heeft een vaste avondroutine"),
        ],
        "agreements": [
            Agreement("a-1", "school-de-linde", "Dagelijks aanwezigheid doorgeven", None),
            Agreement("a-2", "jeugdteam-centrum", "Opvoedondersteuning thuis", today, "coach-bo"),
        ],
        "next_evaluation": today + timedelta(days=42 * version),
    }


ORGANISATIONS = ["cjg-den-haag", "school-de-linde", "jeugdteam-centrum"]
FAMILY = ["mother", "father", "child"]

SCRIPT: tuple[Step, ...] = (
    Step(
        Triage, COORDINATOR, lambda t: {"outcome": TriageOutcome.COMPLEX, "coordination_level": 4}
    ),
    Step(
        HoldConversation,
        COORDINATOR,
        _conversation("c-1", ConversationKind.CLARIFICATION, "45.5"),
    ),
    Step(
        GrantConsent,
        COORDINATOR,
        _consent("consent-waitlist", ConsentPurpose.WAITLIST, "cjg-den-haag"),
    ),
    Step(PlaceOnWaitlist, COORDINATOR, lambda t: {"priority": 2}),
    Step(ContactWaitingFamily, COORDINATOR, lambda t: {}),
    Step(HoldConversation, COORDINATOR, _conversation("c-2", ConversationKind.PHONE, "15")),
    Step(ContactWaitingFamily, COORDINATOR, lambda t: {}),
    Step(
        AssignCoach,
        COORDINATOR,
        lambda t: {"coach": "coach-anna", "organisation": "cjg-den-haag"},
    ),
    Step(HoldConversation, COACH, _conversation("c-3", ConversationKind.HOME_VISIT, "90")),
    Step(
        GrantConsent,
        COACH,
        _consent("consent-care", ConsentPurpose.CARE_COORDINATION, "jeugdteam-centrum"),
    ),
    Step(
        HoldRoundTable,
        COACH,
        lambda t: {
            "members": FAMILY,
            "organisations": ORGANISATIONS,
            "decisions": "Een plan: school, opvoedondersteuning, de coach is regisseur.",
        },
    ),
    Step(AdoptPlan, COACH, lambda t: _plan(t, 1)),
    Step(HoldConversation, COACH, _conversation("c-4", ConversationKind.HELP, "60.25")),
    Step(
        RequestReferral,
        COACH,
        lambda t: {
            "referral_id": "ref-1",
            "member_id": "child",
            "destination": ReferralDestination.JEUGDTEAM,
            "organisation": "jeugdteam-centrum",
        },
    ),
    Step(AcceptReferral, COACH, lambda t: {"referral_id": "ref-1"}),
    Step(StartCare, COACH, lambda t: {"referral_id": "ref-1"}),
    Step(HoldConversation, COACH, _conversation("c-5", ConversationKind.HELP, "50")),
    Step(
        AssessSafety,
        COACH,
        lambda t: {
            "method": SafetyMethod.SIGNS_OF_SAFETY,
            "verdict": SafetyVerdict.SAFE,
            "notes": "Geen zorgen over de veiligheid.",
        },
    ),
    Step(
        EvaluatePlan,
        COACH,
        lambda t: {
            "members": FAMILY,
            "organisations": ORGANISATIONS,
            "conclusions": "Schoolbezoek verbeterd; avondroutine nog niet stabiel.",
            "next_evaluation": t + timedelta(days=42),
        },
    ),
    Step(RevisePlan, COACH, lambda t: _plan(t, 2)),
    Step(
        RecordBrokenAgreement,
        COACH,
        lambda t: {
            "agreement_id": "a-1",
            "notes": "Aanwezigheid twee weken niet doorgegeven.",
        },
    ),
    Step(HoldConversation, COACH, _conversation("c-6", ConversationKind.CONSULTATION, "20.75")),
    Step(
        RegisterTime,
        COACH,
        lambda t: {"minutes": Decimal("30"), "writing_minutes": Decimal("7.5")},
    ),
    Step(EndCare, COACH, lambda t: {"referral_id": "ref-1", "reason": "doelen bereikt"}),
    Step(AnswerHelpQuestion, COACH, lambda t: {}),
    Step(
        CloseCase,
        COACH,
        lambda t: {
            "reason": ClosureReason.GOALS_REACHED,
            "relapse_risk": RelapseRisk.LOW,
            "aftercare_by": "jgz-den-haag",
            "informed_organisations": ORGANISATIONS,
        },
    ),
)
COMMANDS_PER_CASE = 1 + len(SCRIPT)
"""open_case and the script: one get -> call -> save each (open_case: no get)."""
EVENTS_PER_CASE = COMMANDS_PER_CASE + 1
"""assign_coach while waiting also records that the family left the waitlist."""

# ---------------------------------------------------------------------------------------
# The bare library: one aggregate, one event method, a payload of the same stored size.
# ---------------------------------------------------------------------------------------


class Dossier(Aggregate):
    """A plain aggregate: every command records one small fact."""

    def __init__(self, actor: dict[str, str], occurred_at: datetime, text: str) -> None:
        self.facts = 1

    @event("Noted")
    def note(self, actor: dict[str, str], occurred_at: datetime, text: str) -> None:
        self.facts += 1


def raw_text_for(average_state_size: float) -> str:
    """A text that makes a Dossier event's stored state as large as the app's average."""
    app: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        dossier = Dossier(actor=COACH.as_dict(), occurred_at=START, text="")
        dossier.note(actor=COACH.as_dict(), occurred_at=START, text="")
        noted = dossier.collect_events()[-1]  # all but the first event of a dossier
        base = len(app.mapper.to_stored_event(noted).state)
    finally:
        app.close()
    return "x" * max(0, round(average_state_size - base))


# ---------------------------------------------------------------------------------------
# Stores: a fresh one per measurement, closed and removed afterwards.
# ---------------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    root: Path
    pg_dbname: str
    created_schemas: set[str]

    def settings(self) -> Settings:
        if self.name == "sqlite":
            return load_settings(store="sqlite", data_dir=Path(tempfile.mkdtemp(dir=self.root)))
        schema = f"bench_{uuid4().hex[:12]}"
        self.created_schemas.add(schema)
        return load_settings(
            store="postgres",
            postgres_dbname=self.pg_dbname,
            postgres_user="postgres",
            postgres_schema=schema,
        )

    def cleanup(self, settings: Settings) -> None:
        if settings.store == "sqlite":
            shutil.rmtree(settings.data_dir, ignore_errors=True)
        else:
            drop_schema(settings, settings.postgres_schema)
            self.created_schemas.discard(settings.postgres_schema)

    def drop_leftovers(self) -> None:
        if self.name != "postgres" or not self.created_schemas:
            return
        settings = load_settings(
            store="postgres", postgres_dbname=self.pg_dbname, postgres_user="postgres"
        )
        for schema in sorted(self.created_schemas):
            drop_schema(settings, schema)
        self.created_schemas.clear()


@contextmanager
def case_app(backend: Backend) -> Iterator[tuple[CaseApplication, FixedClock]]:
    settings = backend.settings()
    app: CaseApplication | None = None
    try:
        clock = FixedClock(START)
        app = CaseApplication(settings, clock)
        yield app, clock
    finally:
        if app is not None:
            app.close()
        backend.cleanup(settings)


@contextmanager
def raw_app(backend: Backend) -> Iterator[Application[UUID]]:
    settings = backend.settings()
    app: Application[UUID] | None = None
    try:
        app = Application(env=eventsourcing_env(settings, "raw"))
        yield app
    finally:
        if app is not None:
            app.close()
        backend.cleanup(settings)


# ---------------------------------------------------------------------------------------
# The workloads. Each answers (events, commands, seconds); only the loop is timed.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    events: int
    commands: int
    seconds: float


def prepare(clock: FixedClock, cases: int) -> list[list[dict[str, Any]]]:
    """Every command's arguments, built before the clock starts (the raw payload is built
    beforehand too): the dates are those the clock will show, one minute per command."""
    arguments = []
    at = clock.now()
    for _ in range(cases):
        at += STEP  # open_case
        case = []
        for step in SCRIPT:
            at += STEP
            case.append(step.details(at.date()))
        arguments.append(case)
    return arguments


def run_app_commands(app: CaseApplication, clock: FixedClock, cases: int) -> Result:
    arguments = prepare(clock, cases)
    facts = melding()
    before = app.position()
    started = time.perf_counter()
    for case_arguments in arguments:
        clock.advance(minutes=1)
        case_id, _position = app.open_case(COORDINATOR, **facts)
        for step, details in zip(SCRIPT, case_arguments, strict=True):
            clock.advance(minutes=1)
            app.execute(case_id, step.actor, step.command(**details))
    seconds = time.perf_counter() - started
    return Result(app.position() - before, cases * COMMANDS_PER_CASE, seconds)


def run_raw_commands(app: Application[UUID], cases: int, text: str) -> Result:
    actor = COORDINATOR.as_dict()
    now = START
    before = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    for _ in range(cases):
        now += STEP
        dossier = Dossier(actor=actor, occurred_at=now, text=text)
        app.save(dossier)
        for _step in SCRIPT:
            now += STEP
            dossier = app.repository.get(dossier.id)
            dossier.note(actor=actor, occurred_at=now, text=text)
            app.save(dossier)
    seconds = time.perf_counter() - started
    events = (app.recorder.max_notification_id() or 0) - before
    return Result(events, cases * COMMANDS_PER_CASE, seconds)


def build_case(
    app: CaseApplication,
    clock: FixedClock,
    facts: dict[str, Any],
    arguments: list[dict[str, Any]],
) -> Case:
    """The whole history of one case in memory, through the domain's own commands."""
    now = clock.advance(minutes=1)
    case = Case.open(case_id=uuid4(), by=Provenance(COORDINATOR, now, now), **facts)
    for step, details in zip(SCRIPT, arguments, strict=True):
        now = clock.advance(minutes=1)
        by = Provenance(step.actor, now, now)
        step.command(**details).apply_to(case, by, app.periods_for(case))
    return case


def run_app_fresh(app: CaseApplication, clock: FixedClock, cases: int) -> Result:
    arguments = prepare(clock, cases)
    facts = melding()
    before = app.position()
    started = time.perf_counter()
    for case_arguments in arguments:
        app.save(build_case(app, clock, facts, case_arguments))
    seconds = time.perf_counter() - started
    return Result(app.position() - before, cases, seconds)


def run_raw_fresh(app: Application[UUID], cases: int, text: str) -> Result:
    actor = COORDINATOR.as_dict()
    now = START
    before = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    for _ in range(cases):
        now += STEP
        dossier = Dossier(actor=actor, occurred_at=now, text=text)
        for _event in range(EVENTS_PER_CASE - 1):
            now += STEP
            dossier.note(actor=actor, occurred_at=now, text=text)
        app.save(dossier)
    seconds = time.perf_counter() - started
    events = (app.recorder.max_notification_id() or 0) - before
    return Result(events, cases, seconds)


def measure_app(backend: Backend, workload: str, cases: int) -> Result:
    with case_app(backend) as (app, clock):
        gc.collect()
        if workload == "commands":
            return run_app_commands(app, clock, cases)
        return run_app_fresh(app, clock, cases * FRESH_SCALE)


def measure_raw(backend: Backend, workload: str, cases: int, text: str) -> Result:
    with raw_app(backend) as app:
        gc.collect()
        if workload == "commands":
            return run_raw_commands(app, cases, text)
        return run_raw_fresh(app, cases * FRESH_SCALE, text)


def app_average_state_size(backend: Backend) -> float:
    """Warm the application up, and measure the stored size of its events."""
    with case_app(backend) as (app, clock):
        run_app_commands(app, clock, WARMUP_CASES)
        run_app_fresh(app, clock, WARMUP_CASES)
        notifications = app.recorder.select_notifications(1, 10_000)
        return statistics.mean(len(n.state) for n in notifications)


# ---------------------------------------------------------------------------------------
# Reporting.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    backend: str
    workload: str
    implementation: str
    events: int
    commands: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds

    @property
    def commands_per_second(self) -> float:
        return self.commands / self.seconds


def median_row(backend: str, workload: str, implementation: str, runs: list[Result]) -> Row:
    events = {r.events for r in runs}
    commands = {r.commands for r in runs}
    if len(events) != 1 or len(commands) != 1:
        raise AssertionError(f"runs differ in size: {runs}")
    seconds = statistics.median(r.seconds for r in runs)
    return Row(backend, workload, implementation, events.pop(), commands.pop(), seconds)


def table(rows: list[Row]) -> str:
    header = [
        "backend",
        "workload",
        "events",
        "commands",
        "seconds",
        "events/s",
        "cmds/s",
        "ratio app/raw",
        "cmd ratio",
    ]
    raw = {(r.backend, r.workload): r for r in rows if r.implementation == "raw"}
    lines = []
    for row in rows:
        ratio = cmd_ratio = "-"
        baseline = raw.get((row.backend, row.workload))
        if row.implementation == "app" and baseline is not None:
            ratio = f"{row.events_per_second / baseline.events_per_second:.2f}"
            cmd_ratio = f"{row.commands_per_second / baseline.commands_per_second:.2f}"
        lines.append(
            [
                row.backend,
                f"{row.workload} ({row.implementation})",
                str(row.events),
                str(row.commands),
                f"{row.seconds:.3f}",
                f"{row.events_per_second:,.0f}",
                f"{row.commands_per_second:,.0f}",
                ratio,
                cmd_ratio,
            ]
        )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        first, second, *numbers = cells
        return "  ".join(
            [first.ljust(widths[0]), second.ljust(widths[1])]
            + [cell.rjust(width) for cell, width in zip(numbers, widths[2:], strict=True)]
        )

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def bench_backend(backend: Backend, cases: int, workloads: list[str], repeats: int) -> list[Row]:
    text = raw_text_for(app_average_state_size(backend))
    with raw_app(backend) as app:  # warm the bare library up too
        run_raw_commands(app, WARMUP_CASES, text)
        run_raw_fresh(app, WARMUP_CASES, text)
    rows = []
    for workload in workloads:
        app_runs: list[Result] = []
        raw_runs: list[Result] = []
        for repeat in range(repeats):
            # Alternate which goes first, so drift on a noisy machine hits both alike.
            if repeat % 2 == 0:
                app_runs.append(measure_app(backend, workload, cases))
                raw_runs.append(measure_raw(backend, workload, cases, text))
            else:
                raw_runs.append(measure_raw(backend, workload, cases, text))
                app_runs.append(measure_app(backend, workload, cases))
            print(
                f"  {backend.name} {workload} #{repeat + 1}: "
                f"app {app_runs[-1].seconds:.3f}s, raw {raw_runs[-1].seconds:.3f}s",
                file=sys.stderr,
                flush=True,
            )
        scale = FRESH_SCALE if workload == "fresh" else 1
        expected = {
            "app": cases * scale * EVENTS_PER_CASE,
            "raw": cases * scale * (EVENTS_PER_CASE if workload == "fresh" else COMMANDS_PER_CASE),
        }
        for name, runs in (("app", app_runs), ("raw", raw_runs)):
            if any(result.events != expected[name] for result in runs):
                raise AssertionError(f"{name} stored {runs}, expected {expected[name]} events")
        rows.append(median_row(backend.name, workload, "app", app_runs))
        rows.append(median_row(backend.name, workload, "raw", raw_runs))
    return rows


def profile_backend(backend: Backend, cases: int, workloads: list[str], limit: int = 35) -> None:
    """Where the application spends its time, and the bare library on the same workload."""
    text = raw_text_for(app_average_state_size(backend))
    for workload in workloads:
        for name in ("app", "raw"):
            profiler = cProfile.Profile()
            if name == "app":
                profiler.runcall(measure_app, backend, workload, cases)
            else:
                profiler.runcall(measure_raw, backend, workload, cases, text)
            for sort in ("tottime", "cumulative"):
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.strip_dirs().sort_stats(sort).print_stats(limit)
                print(f"===== {backend.name} {workload} ({name}), by {sort} =====")
                print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.append",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--events",
        type=int,
        default=40 * EVENTS_PER_CASE,
        help=f"app events per commands measurement, in whole cases of {EVENTS_PER_CASE} "
        f"(fresh does {FRESH_SCALE} times as many)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workload", choices=["commands", "fresh", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--pg-dbname", default="test")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the workloads instead of timing them"
    )
    args = parser.parse_args(argv)

    cases = max(1, round(args.events / EVENTS_PER_CASE))
    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    workloads = ["commands", "fresh"] if args.workload == "both" else [args.workload]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-append-") as root:
        for name in names:
            if name == "postgres":
                reason = postgres_unreachable(args.pg_dbname)
                if reason is not None:
                    print(f"postgres skipped: {reason}", file=sys.stderr)
                    continue
            backend = Backend(name, Path(root), args.pg_dbname, set())
            try:
                if args.profile:
                    profile_backend(backend, cases, workloads)
                else:
                    rows.extend(bench_backend(backend, cases, workloads, args.repeats))
            finally:
                backend.drop_leftovers()
    if rows:
        print(
            f"\ncommands: {cases} cases x {COMMANDS_PER_CASE} commands "
            f"({EVENTS_PER_CASE} app events); fresh: {cases * FRESH_SCALE} cases x "
            f"{EVENTS_PER_CASE} events saved at once; median of {args.repeats}\n"
        )
        print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
