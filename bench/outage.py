"""PostgreSQL restarted under load: what clients see, and whether anything is lost.

A real `gezinsregie serve` and a real `gezinsregie projections run`, each its own process,
on a fresh schema. Client threads send writes (a conversation on their own case) and reads
(the overview); after a warm-up the PostgreSQL cluster is stopped (`pg_ctlcluster ... stop
-m fast`: every connection is closed), left down for `--outage` seconds, and started again.
The table gives, per phase (before, outage, after), the answers by status and their
latencies; then the first successful write after the database's return, whether the
projection worker caught up without a restart, and acknowledged writes missing from the
store (must be 0). Needs root (it stops the machine's PostgreSQL): never run in CI.

    python -m bench.outage [--outage 15] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
from psycopg import sql
from pydantic import SecretStr

from application.persistence import postgres_conninfo
from application.settings import Settings, load_settings
from bench.api_load import Server, free_port, stop_server
from bench.served import wait_healthy
from bench.stores import drop_schema
from domain.authorization import Role, User
from interfaces.tokens import TokenService

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-outage-" + "x" * 32
COORDINATOR = User("coordinator-1", "cjg-den-haag", frozenset({Role.COORDINATOR}), "den-haag")
MELDING = {
    "municipality": "den-haag",
    "team": "centrum",
    "channel": "professional",
    "reporter_organisation": "school-de-linde",
    "help_question": "Hulp bij opvoeding",
    "members": [
        {
            "member_id": "mother",
            "role": "parent",
            "name": "Fatima",
            "birth_date": "1988-05-02",
            "parental_authority": True,
        },
        {"member_id": "child", "role": "child", "name": "Sam", "birth_date": "2018-03-01"},
    ],
}
CONVERSATION = {"kind": "clarification", "minutes": "10", "writing_minutes": "5"}


@dataclass
class Answer:
    kind: str
    sent: float
    took: float
    status: int
    position: int | None = None


@dataclass
class Run:
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def note(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


def cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def pg_command(action: str) -> list[str]:
    fast = ["-m", "fast"] if action == "stop" else []
    return ["pg_ctlcluster", "--skip-systemctl-redirect", cluster(), "main", action, *fast]


def pg(action: str) -> None:
    subprocess.run(pg_command(action), check=True)


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def client_loop(base: str, token: str, case_id: str, run: Run) -> None:
    """A write (a conversation on this client's case) and a read (the overview), repeated."""
    headers = {"Authorization": f"Bearer {token}"}
    write = f"/v1/cases/{case_id}/conversations"
    with httpx.Client(base_url=base, headers=headers, timeout=60.0) as client:
        while not run.stop.is_set():
            run.note(timed("write", lambda: client.post(write, json=CONVERSATION)))
            run.note(timed("read", lambda: client.get("/v1/overview")))
            run.stop.wait(0.05)


def timed(kind: str, call: Callable[[], httpx.Response]) -> Answer:
    sent = time.monotonic()
    try:
        response = call()
    except httpx.TransportError:
        return Answer(kind, sent, time.monotonic() - sent, 0)
    took = time.monotonic() - sent
    position = response.json().get("position") if response.status_code == 200 else None
    return Answer(kind, sent, took, response.status_code, position)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=15.0, help="seconds the database is down")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after return")
    args = parser.parse_args()

    schema = f"bench_{uuid4().hex[:12]}"
    settings = load_settings(
        store="postgres", postgres_schema=schema, postgres_dbname="test", postgres_user="postgres"
    )
    env = {
        **os.environ,
        "GEZINSREGIE_STORE": "postgres",
        "GEZINSREGIE_POSTGRES_DBNAME": "test",
        "GEZINSREGIE_POSTGRES_USER": "postgres",
        "GEZINSREGIE_POSTGRES_SCHEMA": schema,
        "GEZINSREGIE_JWT_SECRET": SECRET,
    }
    tokens = TokenService(settings.model_copy(update={"jwt_secret": SecretStr(SECRET)}))
    token = tokens.issue(COORDINATOR)
    cli = str(Path(sys.executable).parent / "gezinsregie")
    logs = Path(tempfile.mkdtemp(prefix="bench-outage-"))
    port = free_port()
    server = Server(
        start([cli, "serve", "--host", "127.0.0.1", "--port", str(port)], env, logs / "serve.log"),
        f"http://127.0.0.1:{port}",
        logs / "serve.log",
    )
    worker = start([cli, "projections", "run"], env, logs / "projections.log")
    try:
        wait_healthy(server.base_url, server.process, log_tail=server.log_tail)
        run = Run()
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            case_ids = [
                client.post("/v1/cases", json=MELDING).json()["case_id"]
                for _ in range(args.clients)
            ]
        threads = [
            threading.Thread(target=client_loop, args=(server.base_url, token, c, run))
            for c in case_ids
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.warmup)
        pg("stop")  # returns once the server has stopped: connections closed
        down_at = time.monotonic()
        time.sleep(args.outage)
        starting = subprocess.Popen(pg_command("start"))
        while not pg_ready():  # the moment it accepts connections, before `start` returns
            time.sleep(0.02)
        up_at = time.monotonic()
        starting.wait()
        time.sleep(args.after)
        run.stop.set()
        for thread in threads:
            thread.join()
        report(
            run,
            down_at,
            up_at,
            server.base_url,
            token,
            settings,
            case_ids,
            worker_alive=worker.poll() is None,
        )
    finally:
        print(stop_server(server))
        worker.terminate()
        worker.wait(timeout=30)
        drop_schema(settings, schema)  # and its key store's
        print(f"logs in {logs}")


def report(
    run: Run,
    down_at: float,
    up_at: float,
    base: str,
    token: str,
    settings: Settings,
    case_ids: list[str],
    *,
    worker_alive: bool,
) -> None:
    phases = {
        "before": [a for a in run.answers if a.sent < down_at],
        "down": [a for a in run.answers if down_at <= a.sent < up_at],
        "after": [a for a in run.answers if a.sent >= up_at],
    }
    print(f"database down {up_at - down_at:.1f} s (from stopped to accepting connections)\n")
    print(f"{'phase':8} {'answers':>8} {'statuses':32} {'p50 ms':>8} {'max ms':>8}")
    for phase, answers in phases.items():
        statuses: dict[int, int] = {}
        for a in answers:
            statuses[a.status] = statuses.get(a.status, 0) + 1
        took = [a.took * 1000 for a in answers] or [0.0]
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        print(
            f"{phase:8} {len(answers):>8} {shown:32} {statistics.median(took):>8.1f} "
            f"{max(took):>8.1f}"
        )
    writes_after = sorted(
        a.sent + a.took
        for a in phases["after"] + phases["down"]
        if a.kind == "write" and a.status == 200 and a.sent + a.took >= up_at
    )
    first = writes_after[0] - up_at if writes_after else float("nan")
    print(f"\nfirst successful write {first:.2f} s after the database was back")
    acknowledged = [a.position for a in run.answers if a.kind == "write" and a.position]
    head = max(acknowledged)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        waited = time.monotonic()
        caught = client.get(f"/v1/overview?position={head}").status_code
        print(
            f"projection worker process alive: {worker_alive}; overview at position {head}: "
            f"{caught} after {time.monotonic() - waited:.2f} s"
        )
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        stored = {
            row[0]
            for row in connection.execute(
                sql.SQL("SELECT notification_id FROM {}").format(
                    sql.Identifier(settings.postgres_schema, "cases_events")
                )
            )
        }
    lost = [p for p in acknowledged if p not in stored]
    print(f"acknowledged writes: {len(acknowledged)}; missing from the store: {len(lost)}")


if __name__ == "__main__":
    main()
