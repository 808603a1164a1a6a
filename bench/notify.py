"""Notifications under faults: a subscriber away for minutes, the dispatcher SIGKILLed.

On a fresh PostgreSQL schema: cases that ggz-haaglanden may read (a referral to it) and
cases it may not (referrals elsewhere); a subscription of ggz-haaglanden to every type; a
real `gezinsregie subscriptions dispatch` process; commands (a referral on a random case)
at a steady `--rate`. After `--warmup` s the subscriber's endpoint closes for `--outage`
s; when it is back and a third of the backlog has arrived, the dispatcher is SIGKILLed
and started again. Then `--after` s more with the subscriber up. The table: lost (must be
0), duplicates (only ever with the same webhook-id), order per case, signatures, cases it
may not read (never), time from the subscriber's return to the backlog delivered (≤ 60 s)
and the delivery lag while it is up (p95 ≤ 1 s).

    python -m bench.notify [--outage 300] [--rate 4] [--warmup 30] [--after 30]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

from application.cases import CaseApplication
from application.clock import SystemClock
from application.notifications.stores import open_notification_store
from application.notifications.subscribing import subscribe
from application.settings import Settings, load_settings
from bench.api_load import free_port
from bench.notify_endpoint import Arrival, Endpoint
from bench.stores import drop_schema, postgres_unreachable
from domain.commands import RequestReferral
from domain.family import FamilyMember
from domain.notification_types import NOTIFICATION_TYPES
from domain.provenance import Actor
from domain.vocabulary import Channel, MemberRole, ReferralDestination, Urgency

ROOT = Path(__file__).resolve().parent.parent
GGZ, ELSEWHERE = "ggz-haaglanden", "jeugdhulp-west"
GRACE_SECONDS = 2.0
COORDINATOR = Actor(subject="coordinator-1", organisation="cjg-den-haag", role="coordinator")


@dataclass
class Commands:
    """What was done: per case readable by the subscriber, when each command returned."""

    done: dict[UUID, list[float]] = field(default_factory=lambda: defaultdict(list))
    elsewhere: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def readable_count(self, before: float | None = None) -> int:
        with self.lock:
            return sum(
                1 for times in self.done.values() for t in times if before is None or t < before
            )


def open_family(app: CaseApplication, organisation: str, index: int) -> UUID:
    members = [
        FamilyMember("mother", MemberRole.PARENT, "Fatima", date(1988, 5, 2), True),
        FamilyMember("child", MemberRole.CHILD, "Sam", date(2018, 3, 1)),
    ]
    case_id, _ = app.open_case(
        COORDINATOR, municipality="den-haag", team="centrum", channel=Channel.PROFESSIONAL,
        reporter_organisation="school-de-linde", reporter_professional="teacher-7",
        members=members, help_question_id="hq-1",
        help_question="Hulp bij opvoeding", urgency=Urgency.NORMAL,
    )  # fmt: skip
    refer(app, case_id, organisation, f"setup-{index}")
    return case_id


def refer(app: CaseApplication, case_id: UUID, organisation: str, referral_id: str) -> None:
    command = RequestReferral(
        referral_id=referral_id,
        member_id="child",
        destination=ReferralDestination.SPECIALISED_GGZ,
        organisation=organisation,
    )
    app.execute(case_id, COORDINATOR, command)


def send_commands(
    app: CaseApplication, ours: list[UUID], theirs: list[UUID], rate: float, done: Commands
) -> None:
    """A referral at a steady rate: three in four on a case the subscriber may read."""
    rng, started, k = random.Random(20), time.monotonic(), 0
    while not done.stop.is_set():
        k += 1
        readable = rng.random() < 0.75
        case_id = rng.choice(ours if readable else theirs)
        refer(app, case_id, GGZ if readable else ELSEWHERE, f"r-{k}")
        with done.lock:
            if readable:
                done.done[case_id].append(time.time())
            else:
                done.elsewhere += 1
        done.stop.wait(max(0.0, started + k / rate - time.monotonic()))


def dispatcher(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GEZINSREGIE_STORE": "postgres",
        "GEZINSREGIE_POSTGRES_HOST": settings.postgres_host,
        "GEZINSREGIE_POSTGRES_PORT": str(settings.postgres_port),
        "GEZINSREGIE_POSTGRES_DBNAME": settings.postgres_dbname,
        "GEZINSREGIE_POSTGRES_USER": settings.postgres_user,
        "GEZINSREGIE_POSTGRES_SCHEMA": settings.postgres_schema,
        "GEZINSREGIE_KEY_ENCRYPTION_KEY": settings.key_encryption_key.get_secret_value(),
        "GEZINSREGIE_JWT_SECRET": "bench-notify-" + "x" * 32,
    }
    command = [sys.executable, "-m", "interfaces.cli", "subscriptions", "dispatch"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


@dataclass
class Timeline:
    outage_from: float = 0.0
    returned: float = 0.0
    killed: float = 0.0
    backlog_delivered: float | None = None
    backlog: int = 0


def run(
    args: argparse.Namespace, settings: Settings, log: Path
) -> tuple[Commands, Endpoint, Timeline]:
    app = CaseApplication(settings, SystemClock())
    store = open_notification_store(settings)
    ours = [open_family(app, GGZ, i) for i in range(args.cases)]
    theirs = [open_family(app, ELSEWHERE, i) for i in range(args.cases // 3)]
    endpoint, done, timeline = Endpoint(free_port()), Commands(), Timeline()
    endpoint.secret = subscribe(app, store, GGZ, endpoint.url, NOTIFICATION_TYPES).secret
    endpoint.start()
    process = dispatcher(settings, log)
    sender = threading.Thread(target=send_commands, args=(app, ours, theirs, args.rate, done))
    sender.start()
    try:
        say(f"subscriber up for {args.warmup:g} s")
        time.sleep(args.warmup)
        endpoint.stop()
        timeline.outage_from = time.time()
        say(f"subscriber away for {args.outage:g} s")
        time.sleep(args.outage)
        timeline.returned = time.time()
        timeline.backlog = done.readable_count(before=timeline.returned)
        endpoint.start()
        say(f"subscriber back; {timeline.backlog} notified in all so far")
        delivered = len({a.webhook_id for a in endpoint.arrivals})
        endpoint.wait_until(delivered + (timeline.backlog - delivered) // 3, 120)
        process.send_signal(signal.SIGKILL)
        process.wait()
        timeline.killed = time.time()
        say("dispatcher SIGKILLed mid-delivery; restarted")
        process = dispatcher(settings, log)
        if endpoint.wait_until(timeline.backlog, 180):
            timeline.backlog_delivered = time.time()
        time.sleep(args.after)
    finally:
        done.stop.set()
        sender.join()
        endpoint.wait_until(done.readable_count(), 60)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        endpoint.stop()
        store.close()
        app.close()
    return done, endpoint, timeline


def say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def lags_while_up(done: Commands, first: list[Arrival], timeline: Timeline) -> list[float]:
    """From a command's return to its notification's first arrival, for commands sent while
    the subscriber was up (not within `GRACE_SECONDS` of its going away, whose notification
    may meet the closed endpoint) or after its backlog was delivered. The k-th notification
    of a case is that of its k-th command (order per case)."""
    per_case: dict[str, list[Arrival]] = defaultdict(list)
    for arrival in first:
        per_case[str(arrival.subject)].append(arrival)
    up_again = timeline.backlog_delivered or float("inf")
    return [
        arrival.at - sent
        for case_id, times in done.done.items()
        for sent, arrival in zip(times, per_case.get(str(case_id), []), strict=False)
        if sent < timeline.outage_from - GRACE_SECONDS or sent > up_again
    ]


def out_of_order(first: list[Arrival]) -> int:
    per_case: dict[str | None, list[int]] = defaultdict(list)
    for arrival in first:
        per_case[arrival.subject].append(arrival.sequence)
    return sum(a > b for got in per_case.values() for a, b in itertools.pairwise(got))


def report(done: Commands, endpoint: Endpoint, timeline: Timeline) -> list[tuple[str, str, str]]:
    arrivals = endpoint.arrivals
    first_of: dict[str, Arrival] = {}
    for arrival in arrivals:
        first_of.setdefault(arrival.webhook_id, arrival)
    first = sorted(first_of.values(), key=lambda a: a.at)
    ids_of_sequence: dict[int, set[str]] = defaultdict(set)
    for arrival in arrivals:
        ids_of_sequence[arrival.sequence].add(arrival.webhook_id)
    sequences = sorted(ids_of_sequence)
    contiguous = sequences == list(range(1, len(sequences) + 1))
    twice = sum(len(ids) > 1 for ids in ids_of_sequence.values())
    expected, readable = done.readable_count(), {str(c) for c in done.done}
    lags = lags_while_up(done, first, timeline)
    p50, p95, worst = percentile(lags, 0.5), percentile(lags, 0.95), max(lags, default=0.0)
    recovery = (timeline.backlog_delivered or float("nan")) - timeline.returned
    return [
        ("commands (readable / elsewhere)", f"{expected} / {done.elsewhere}", ""),
        ("delivered (distinct webhook-ids)", str(len(first)), str(expected)),
        ("lost", str(expected - len(first)), "0"),
        ("duplicates (same webhook-id)", str(len(arrivals) - len(first)), "any"),
        ("sequences sent under two webhook-ids", str(twice), "0"),
        ("sequence contiguous from 1", str(contiguous), "True"),
        ("out of order within a case", str(out_of_order(first)), "0"),
        ("signature failures", str(sum(not a.signed for a in arrivals)), "0"),
        ("of cases it may not read", str(sum(a.subject not in readable for a in first)), "0"),
        ("backlog at the subscriber's return", str(timeline.backlog), ""),
        ("return -> backlog delivered (s)", f"{recovery:.1f}", "<= 60"),
        ("lag while up p50 / p95 / max (s)", f"{p50:.3f} / {p95:.3f} / {worst:.3f}", "p95 <= 1"),
        ("lags measured", str(len(lags)), ""),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=300.0)
    parser.add_argument("--rate", type=float, default=4.0, help="commands per second")
    parser.add_argument("--warmup", type=float, default=30.0)
    parser.add_argument("--after", type=float, default=30.0)
    parser.add_argument("--cases", type=int, default=24)
    parser.add_argument("--dbname", default="test")
    args = parser.parse_args()
    if (why := postgres_unreachable(args.dbname)) is not None:
        sys.exit(f"PostgreSQL is needed: {why}")
    settings = load_settings(
        store="postgres",
        postgres_dbname=args.dbname,
        postgres_schema=f"bench_notify_{uuid4().hex[:8]}",
        key_encryption_key=secrets.token_hex(32),
        postgres_pool_size=4,
    )
    log = Path(f"/tmp/bench-notify-{settings.postgres_schema}.log")
    try:
        done, endpoint, timeline = run(args, settings, log)
    finally:
        drop_schema(settings)
    rows = report(done, endpoint, timeline)
    width = max(len(r[0]) for r in rows)
    print(f"notifications: subscriber away {args.outage:g} s, {args.rate:g} commands/s,")
    print("dispatcher SIGKILLed once mid-delivery and restarted")
    print(f"{'':{width}}  {'measured':>24}  target")
    for name, value, target in rows:
        print(f"{name:{width}}  {value:>24}  {target}")
    print(f"(dispatcher log: {log})")


if __name__ == "__main__":
    main()
