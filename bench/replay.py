"""Benchmark: replaying a case of 1,000 events at a point in time, on PostgreSQL and
SQLite, in-process and through the HTTP API (history endpoint). Never run by CI.

    python -m bench.replay [--events 1000] [--reads 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.cases import CaseApplication
from application.clock import FixedClock
from application.replay import ReplayMode, replay
from application.settings import Settings, load_settings
from bench.stores import drop_schema
from domain.authorization import Role, User
from domain.case import Case
from domain.provenance import Provenance
from domain.vocabulary import ConversationKind
from interfaces.http.app import create_app
from interfaces.tokens import TokenService
from tests.factories import COORDINATOR, OPENED_AT, melding

AUDITOR = User("inspecteur", "inspectie", frozenset({Role.AUDITOR}))


def long_case(events: int) -> Case:
    """A case of `events` events: conversations over three years."""
    case = Case.open(case_id=uuid4(), by=Provenance(COORDINATOR, OPENED_AT, OPENED_AT), **melding())
    for n in range(events - 1):
        at = OPENED_AT + timedelta(hours=n + 1)
        case.hold_conversation(
            Provenance(COORDINATOR, at, at),
            conversation_id=f"c{n}",
            kind=ConversationKind.PHONE,
            minutes=Decimal(15),
            writing_minutes=Decimal(5),
            participants=["mother"],
            notes=f"Gesprek {n}",
        )
    return case


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] if len(samples) > 1 else samples[0]


def measure(settings: Settings, events: int, reads: int) -> list[tuple[str, float, float]]:
    clock = FixedClock(OPENED_AT + timedelta(days=3 * 365))
    app = CaseApplication(settings, clock)
    case = long_case(events)
    app.save(case)
    middle = OPENED_AT + timedelta(hours=events // 2)
    rows = []
    timings = []
    for _ in range(reads):
        started = time.perf_counter()
        found = replay(app, case.id, middle, ReplayMode.RECORDED)
        timings.append((time.perf_counter() - started) * 1000)
        assert found.state is not None
    rows.append(("in-process replay", statistics.median(timings), percentile(timings, 95)))
    app.close()
    with TestClient(create_app(settings, clock)) as client:
        token = TokenService(settings).issue(AUDITOR)
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/v1/cases/{case.id}/history"
        timings = []
        for _ in range(reads):
            started = time.perf_counter()
            response = client.get(url, params={"as_of": middle.isoformat()}, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
        rows.append(("HTTP history as_of", statistics.median(timings), percentile(timings, 95)))
        timings = []
        for _ in range(reads):
            started = time.perf_counter()
            params = {"as_of": middle.isoformat(), "events": "false"}
            response = client.get(url, params=params, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
        rows.append(("HTTP state as_of", statistics.median(timings), percentile(timings, 95)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    secret = SecretStr("bench-secret-" + "x" * 32)
    schema = f"bench_replay_{uuid4().hex[:8]}"
    postgres = load_settings(
        store="postgres",
        postgres_dbname="test",
        postgres_user="postgres",
        postgres_schema=schema,
        jwt_secret=secret,
    )
    print(f"replaying a case of {args.events} events at its middle, {args.reads} reads each")
    print(f"{'store':10} {'path':20} {'p50 ms':>8} {'p95 ms':>8}")
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            sqlite = load_settings(data_dir=Path(data_dir), jwt_secret=secret)
            for name, settings in (("sqlite", sqlite), ("postgres", postgres)):
                for path, p50, p95 in measure(settings, args.events, args.reads):
                    print(f"{name:10} {path:20} {p50:8.1f} {p95:8.1f}")
    finally:
        drop_schema(postgres, schema)


if __name__ == "__main__":
    main()
