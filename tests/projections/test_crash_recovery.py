"""A real worker process (`gezinsregie projections run`) on PostgreSQL, killed with SIGKILL
in the middle of a large backlog, restarted, and stopped with SIGTERM at the head: its rows
equal a full rebuild, for both projections (a crash loses nothing and applies nothing twice)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from application.cases import CaseApplication
from application.settings import Settings, load_settings
from domain.case import Case
from domain.periods import CasePeriods
from domain.plan import Agreement, Goal
from domain.vocabulary import (
    ClosureReason,
    ConversationKind,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
    Urgency,
)
from projections.registry import PROJECTIONS, OpenView, open_view, worker_for
from projections.view import ViewRow
from tests.conftest import store_env
from tests.factories import at, consent_to_waitlist, open_case
from tests.projections.support import (
    LEAN_POOL,
    UPSTREAM,
    Family,
    all_rows,
    close_views,
    open_views,
    snapshot,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("store_settings", ["postgres"], indirect=True),
]

BACKLOG = 15_000
CASES = 1_000
CHUNK = 100  # cases saved per transaction
GEZINSREGIE = Path(sys.executable).parent / "gezinsregie"
CATCH_UP_SECONDS = 60.0


def family_history(i: int) -> Case:
    """One of a thousand families, built by the aggregate's commands: a quarter still waits,
    the rest got a coach, a plan and referrals (some rejected, some started), a fifth closed."""
    teams = ["team-centrum", "team-noord", "team-zuid"]
    case = open_case(team=teams[i % 3], urgency=[Urgency.NORMAL, Urgency.URGENT][i % 2])
    case.triage(at(1), outcome=TriageOutcome.COMPLEX, coordination_level=4)
    consent_to_waitlist(case, 1)
    case.place_on_waitlist(at(2), priority=i % 5 + 1)
    for day in (5, 19, 33):
        case.contact_waiting_family(at(day))
    if i % 4 == 0:
        return case
    case.assign_coach(at(40), coach=f"coach-{i % 7}", organisation="cjg-den-haag")
    case.hold_round_table(
        at(42), members=["mother"], organisations=["school-de-linde", "jgz"], decisions="plan"
    )
    case.adopt_plan(
        at(45),
        goals=[Goal("g1", "child", "school", "naar school")],
        agreements=[Agreement("a1", "school-de-linde", "dagelijks contact", date(2026, 3, 1))],
        next_evaluation=date(2026, 4, 1),
    )
    case.request_referral(
        at(46),
        referral_id="r1",
        member_id="child",
        destination=ReferralDestination.SPECIALISED_GGZ,
        organisation="ggz-haaglanden",
    )
    case.request_referral(
        at(47),
        referral_id="r2",
        member_id="mother",
        destination=ReferralDestination.BASIC_GGZ,
        organisation="praktijk-west",
    )
    case.accept_referral(at(50), referral_id="r1")
    if i % 3 == 0:
        case.reject_referral(at(52), referral_id="r2", reason="geen plek")
    else:
        case.accept_referral(at(52), referral_id="r2")
        case.start_care(at(60), referral_id="r2")
    case.make_regisseur_known(at(55), organisations=["ggz-haaglanden"])
    case.hold_conversation(
        at(56),
        conversation_id="c1",
        kind=ConversationKind.HOME_VISIT,
        minutes=Decimal(45),
        writing_minutes=Decimal(10),
        participants=["mother"],
    )
    case.record_broken_agreement(at(70), agreement_id="a1", notes="")
    case.evaluate_plan(
        at(80),
        members=["mother"],
        organisations=["school-de-linde"],
        conclusions="",
        next_evaluation=date(2026, 6, 1),
    )
    if i % 5 == 0:
        case.close(
            at(90),
            reason=ClosureReason.GOALS_REACHED,
            relapse_risk=RelapseRisk.LOW,
            aftercare_by="jgz",
            informed_organisations=["school-de-linde"],
            periods=CasePeriods(),
        )
    return case


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        **store_env(settings),
        "GEZINSREGIE_POSTGRES_POOL_SIZE": str(LEAN_POOL),  # 3 pools of 8 would be 24 connections
    }


class WorkerProcess:
    """`gezinsregie projections run` for every projection, its output kept in files."""

    def __init__(self, settings: Settings, directory: Path, label: str) -> None:
        self.stdout = directory / f"{label}.out"
        self.stderr = directory / f"{label}.err"
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [str(GEZINSREGIE), "projections", "run"],
                env=worker_env(settings),
                cwd=directory,
                stdout=out,
                stderr=err,
            )

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)


@pytest.fixture
def readers(store_settings: Settings) -> Iterator[dict[str, OpenView]]:
    """The views as seen from outside the worker process."""
    opened = open_views(store_settings)
    yield opened
    close_views(opened)


def positions(readers: dict[str, OpenView]) -> dict[str, int]:
    return {name: opened.view.position(UPSTREAM) for name, opened in readers.items()}


def replayed_until(
    app: CaseApplication, name: str, position: int, directory: Path
) -> list[ViewRow]:
    """The rows of the projection replayed from the start up to `position`, into a view of
    its own (a SQLite file), to compare with the rows a killed worker left behind."""
    opened = open_view(load_settings(store="sqlite", data_dir=directory), name)
    try:
        worker = worker_for(app, opened)
        while worker.position < position:
            worker.process(
                app.recorder.select_notifications(worker.position + 1, 1000, stop=position),
                worker.position,
            )
        return all_rows(opened)
    finally:
        opened.close()


def poll(condition: Callable[[], bool], seconds: float, interval: float) -> bool:
    """Whether `condition` became true within `seconds` (checked every `interval`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def test_a_worker_killed_mid_backlog_resumes_and_ends_with_the_rows_of_a_rebuild(
    app: CaseApplication,
    store_settings: Settings,
    readers: dict[str, OpenView],
    tmp_path: Path,
) -> None:
    for start in range(0, CASES, CHUNK):
        app.save(*(family_history(i) for i in range(start, start + CHUNK)))
    head = backlog = app.position()
    assert backlog >= BACKLOG

    first = WorkerProcess(store_settings, tmp_path, "first")
    try:
        midway = poll(  # both projections have committed batches, neither has finished
            lambda: all(0 < p < head for p in positions(readers).values()),
            seconds=CATCH_UP_SECONDS,
            interval=0.005,
        )
    finally:
        returncode = first.stop(signal.SIGKILL)
    killed_at = positions(readers)
    assert midway, f"never saw both positions between 0 and {head}: {first.output()}"
    assert returncode == -signal.SIGKILL
    assert all(0 < p < head for p in killed_at.values()), f"killed too late: {killed_at}"
    for name, opened in readers.items():  # what the killed worker committed is a clean prefix
        expected = replayed_until(app, name, killed_at[name], tmp_path / "replay")
        assert all_rows(opened) == expected, f"{name}: rows at the kill differ from a replay"

    second = WorkerProcess(store_settings, tmp_path, "second")
    try:
        live = Family.open(app)  # written while the restarted worker runs
        live.consent(1)
        live.place(2, priority=1)
        live.contact(3)
        head = app.position()
        reached = poll(
            lambda: all(p == head for p in positions(readers).values()),
            seconds=CATCH_UP_SECONDS,
            interval=0.05,
        )
    finally:
        returncode = second.stop(signal.SIGTERM)
    assert reached, f"stuck at {positions(readers)} of {head}: {second.output()}"
    assert returncode == 0, second.output()
    assert "Traceback" not in second.output()

    by_the_worker = snapshot(readers)
    for opened in readers.values():
        worker_for(app, opened).rebuild()
    rebuilt = snapshot(readers)

    assert set(rebuilt) == set(PROJECTIONS)
    for name in PROJECTIONS:
        assert by_the_worker[name][0] == rebuilt[name][0] == head
        assert by_the_worker[name][1] == rebuilt[name][1], f"{name}: rows differ from a rebuild"
    print(f"\nkilled at {killed_at} of {backlog} events; resumed to {head}")
