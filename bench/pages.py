"""Benchmark: how fast each page answers on the embedded default with 10,000 demo cases,
served by a real uvicorn server (in this process, one worker), read one after another by
signed-in users. Target: p95 ≤ 300 ms per page. Never run by CI.

    python -m bench.pages [--cases 10000] [--reads 40]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from application.cases import CaseApplication
from application.demo import write_demo
from application.settings import load_settings
from interfaces.http.app import create_app
from interfaces.pages.demo_users import BY_KEY
from interfaces.tokens import TokenService

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TARGET_MS = 300.0


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 (uvicorn in a thread); yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def signed_in(base_url: str, **form: str) -> httpx.Client:
    """A browser-like client signed in through the demo sign-in page."""
    client = httpx.Client(base_url=base_url, timeout=60)
    token = CSRF.findall(client.get("/aanmelden").text)[0]
    answer = client.post("/aanmelden/demo", data={"csrf": token, **form})
    assert answer.status_code == 303, answer.text  # not followed: no page is read before
    return client


def caught_up(base_url: str) -> None:
    """Until every view has processed every event (they are built in the process)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while any(v["lag"] for v in client.get("/health").json()["views"].values()):
            time.sleep(0.5)


def timed(client: httpx.Client, paths: list[str]) -> list[float]:
    """Milliseconds per read, each path answering 200."""
    spent = []
    for path in paths:
        start = time.perf_counter()
        answer = client.get(path)
        spent.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return spent


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def sample_cases(cases: CaseApplication, ids: list[UUID], reads: int) -> dict[str, list[UUID]]:
    """Den Haag cases (for its coordinator), and cases referred to GGZ Haaglanden."""
    den_haag: list[UUID] = []
    ggz: list[UUID] = []
    for case_id in ids:
        case = cases.get_case(case_id)
        if case.municipality == "den-haag" and len(den_haag) < reads:
            den_haag.append(case_id)
        referred = any(r.organisation == "ggz-haaglanden" for r in case.referrals.values())
        if referred and len(ggz) < reads:
            ggz.append(case_id)
        if len(den_haag) >= reads and len(ggz) >= reads:
            break
    return {"den_haag": den_haag, "ggz": ggz}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=40)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-pages-")) / "var"
    settings = load_settings(store="sqlite", data_dir=data_dir, jwt_secret=SecretStr("s" * 40))
    app = create_app(settings)
    with served(app) as base_url:
        started = time.perf_counter()
        ids = write_demo(app.state.cases, args.cases)
        caught_up(base_url)
        took = time.perf_counter() - started
        print(f"{args.cases} demo cases written and projected in {took:.0f} s")
        sample = sample_cases(app.state.cases, ids, args.reads)
        results = measure(base_url, sample, args.reads)
        token = TokenService(settings).issue(BY_KEY["coordinator-den-haag"].user)
        results |= after_writes(base_url, token, args.reads // 4)
    header = f"{'page':<46} {'reads':>5} {'first':>7} {'p50':>7} {'p95':>7} {'max':>7}"
    print(f"\n{header}  (ms)  p95 ≤ {TARGET_MS:.0f}?")
    for page, spent in results.items():
        mark = "yes" if p95(spent) <= TARGET_MS else "NO"
        print(
            f"{page:<46} {len(spent):>5} {spent[0]:>7.1f} {statistics.median(spent):>7.1f}"
            f" {p95(spent):>7.1f} {max(spent):>7.1f}  {mark}"
        )
    print(
        "\nfirst: the first read, which computes the overview or caseload of its scope; later"
        " reads at the same view position and minute reuse it (interfaces/pages/overview_memo.py)."
        " 'after a write': every read follows a command, at its position: only the changed case"
        " is computed again (projections/overview_entries.py)."
    )


def after_writes(base_url: str, token: str, reads: int) -> dict[str, list[float]]:
    """The overview and caseload read right after a command (a contact with a waiting
    family), at its position: each read computes its scope afresh."""
    api = httpx.Client(base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {token}"})
    waiting = api.get("/v1/waitlist", params={"municipality": "den-haag"}).json()["families"]
    coordinator = signed_in(base_url, wie="coordinator-den-haag")
    found: dict[str, list[float]] = {}
    for page in ("/overzicht", "/caseload"):
        spent = []
        for _ in range(reads):
            written = api.post(f"/v1/cases/{waiting[0]['case_id']}/waitlist/contacts")
            position = written.json()["position"]
            spent += timed(coordinator, [f"{page}?positie={position}"])
        found[f"{page} (Den Haag, after a write)"] = spent
    return found


def measure(base_url: str, sample: dict[str, list[UUID]], reads: int) -> dict[str, list[float]]:
    coordinator = signed_in(base_url, wie="coordinator-den-haag")
    team = signed_in(base_url, wie="coordinator-centrum")
    coach = signed_in(base_url, wie="coach-anna")
    partner = signed_in(base_url, wie="partner-ggz")
    family_case = sample["den_haag"][0]
    family = signed_in(base_url, wie="gezin", dossier=str(family_case), lid="parent-1")
    again = [f"/dossiers/{c}" for c in sample["den_haag"]]
    return {
        "/wachtlijst (Den Haag, all teams)": timed(coordinator, ["/wachtlijst"] * reads),
        "/wachtlijst (team centrum)": timed(team, ["/wachtlijst"] * reads),
        "/overzicht (Den Haag, page 1)": timed(coordinator, ["/overzicht"] * reads),
        "/overzicht?signaal=no_coach": timed(coordinator, ["/overzicht?signaal=no_coach"] * reads),
        "/overzicht (team centrum)": timed(team, ["/overzicht"] * reads),
        "/overzicht (coach: own cases)": timed(coach, ["/overzicht"] * reads),
        "/caseload (Den Haag)": timed(coordinator, ["/caseload"] * reads),
        "/dossiers/{id} (coordinator, first read)": timed(coordinator, again),
        "/dossiers/{id} (coordinator, read again)": timed(coordinator, again),
        "/dossiers/{id} (partner, shared only)": timed(
            partner, [f"/dossiers/{c}" for c in sample["ggz"]]
        ),
        "/mijn-dossier (family member)": timed(family, ["/mijn-dossier"] * reads),
        "/aanmelden": timed(httpx.Client(base_url=base_url), ["/aanmelden"] * reads),
    }


if __name__ == "__main__":
    main()
