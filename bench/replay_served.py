"""Benchmark: the history endpoint of a real uvicorn server on PostgreSQL, for a case of
1,000 events replayed at its middle, with and without the timeline. Never run by CI.

    python -m bench.replay_served [--reads 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr

from application.cases import CaseApplication
from application.clock import SystemClock
from application.settings import load_settings
from bench.replay import AUDITOR, long_case
from bench.served import wait_healthy
from bench.stores import drop_schema
from interfaces.tokens import TokenService
from tests.factories import OPENED_AT

PORT = 8791


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    schema, secret = f"bench_served_{uuid.uuid4().hex[:8]}", "s" * 40
    settings = load_settings(
        store="postgres",
        postgres_dbname="test",
        postgres_schema=schema,
        jwt_secret=SecretStr(secret),
    )
    app = CaseApplication(settings, SystemClock())
    case = long_case(1000)
    app.save(case)
    app.close()
    env = {
        **os.environ,
        "GEZINSREGIE_STORE": "postgres",
        "GEZINSREGIE_POSTGRES_DBNAME": "test",
        "GEZINSREGIE_POSTGRES_SCHEMA": schema,
        "GEZINSREGIE_JWT_SECRET": secret,
        "GEZINSREGIE_POSTGRES_POOL_SIZE": "4",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gezinsregie"), "serve", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{PORT}", server, 20)
        headers = {"Authorization": f"Bearer {TokenService(settings).issue(AUDITOR)}"}
        middle = OPENED_AT + timedelta(hours=500)
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers) as client:
            for events in ("true", "false"):
                timings = []
                for _ in range(args.reads + 20):
                    started = time.perf_counter()
                    response = client.get(
                        f"/v1/cases/{case.id}/history",
                        params={"as_of": middle.isoformat(), "events": events},
                    )
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                timings = timings[20:]  # warm-up
                p95 = statistics.quantiles(timings, n=100)[94]
                print(
                    f"history as_of, events={events}: p50 {statistics.median(timings):.1f} ms,"
                    f" p95 {p95:.1f} ms ({args.reads} reads)"
                )
    finally:
        server.terminate()
        server.wait(10)
        drop_schema(settings, schema)


if __name__ == "__main__":
    main()
