"""Faster rebuilds, on both stores: every view rebuilt from one read of the log, and the
cases split over two processes, give exactly the rows and the position of each view kept
live (and of each rebuilt alone); a partition that fails midway (a real handler raising on
an event) or stops after a few batches resumes from its own position, exactly-once; the
command line does it with `rebuild --all --processes 2`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from application.case_application import CaseApplicationBase
from application.cases import CaseApplication
from application.settings import Settings
from domain.events_intake import WaitlistContacted
from projections import registry
from projections.projection import Projection, RowBatch
from projections.rebuild import (
    ProjectionFactory,
    RebuildInterruptedError,
    build_partition,
    prepare,
    promote,
    rebuild_in_processes,
)
from projections.registry import PROJECTIONS, worker_for
from projections.runner import Partition, ProjectionError, rebuild_together
from projections.view import REBUILDING
from projections.waitlist import WaitlistProjection
from tests.conftest import store_env
from tests.projections.support import (
    LEAN_POOL,
    UPSTREAM,
    Family,
    catch_up,
    lean,
    snapshot,
)

Views = dict[str, Any]
NAMES = sorted(PROJECTIONS)
GEZINSREGIE = Path(sys.executable).parent / "gezinsregie"


def families(app: CaseApplication, count: int = 16) -> list[Family]:
    """Families in every phase: waiting and contacted, coached with referrals in each state,
    some closed (their rows leave the waitlists), spread over both partitions."""
    written = []
    for i in range(count):
        family = Family.open(app)
        family.consent(1)
        family.place(2, priority=i % 5 + 1)
        family.contact(3)
        family.contact(5 + i % 3)
        if i % 4:
            family.assign(10, coach=f"coach-{i % 3}")
            family.refer(11, "r1")
            family.refer(12, "r2", organisation="praktijk-west")
            family.accept(13, "r1")
            if i % 3 == 0:
                family.reject(14, "r2")
            else:
                family.start(15, "r1")
        if i % 5 == 0:
            family.close(20)
        written.append(family)
    return written


def test_one_read_rebuilds_every_view_as_each_alone_and_as_kept_live(
    app: CaseApplication, views: Views
) -> None:
    families(app, 6)
    catch_up(app, views)
    live = snapshot(views)

    events = rebuild_together([worker_for(app, opened) for opened in views.values()], 7)
    together = snapshot(views)
    for opened in views.values():
        worker_for(app, opened).rebuild(batch_size=7)

    assert events == app.position()
    assert together == live == snapshot(views)
    assert {position for position, _ in together.values()} == {app.position()}
    assert all(rows for _, rows in together.values())
    assert all(opened.view.rebuilding(UPSTREAM) is None for opened in views.values())


def test_two_processes_give_the_rows_and_position_of_the_views_kept_live(
    app: CaseApplication, views: Views, store_settings: Settings
) -> None:
    written = families(app)
    assert {Partition(0, 2).holds(f.case_id) for f in written} == {True, False}
    catch_up(app, views)
    live = snapshot(views)
    shown: list[int] = []

    reached = rebuild_in_processes(
        lean(store_settings), NAMES, 2, batch_size=9, progress=shown.append
    )

    assert reached == app.position() == sum(shown)
    assert snapshot(views) == live
    assert all(opened.view.rebuilding(UPSTREAM) is None for opened in views.values())


class WaitlistBrokenOnOneCase(WaitlistProjection):
    """The waitlist with a bug: its handler raises on one case's contacts (the first
    events after its opening), as a real handler would on an event it cannot take."""

    def __init__(self, broken: str) -> None:
        self.broken = broken

    def handle(self, event: Any, rows: RowBatch) -> None:  # type: ignore[override]
        if isinstance(event, WaitlistContacted) and str(event.originator_id) == self.broken:
            raise KeyError("no such row")
        super().handle(event, rows)


def broken_on(case: Family) -> ProjectionFactory:
    def projection_for(name: str, cases: CaseApplicationBase) -> Projection:
        if name == "waitlist":
            return WaitlistBrokenOnOneCase(case.id)
        return registry.projection_for(name, cases)

    return projection_for


def test_a_partition_that_failed_or_stopped_midway_resumes_exactly_once(
    app: CaseApplication, views: Views, store_settings: Settings
) -> None:
    settings = lean(store_settings)
    written = families(app)
    ours = [f for f in written if Partition(0, 2).holds(f.case_id)]
    broken = ours[len(ours) // 2]  # midway: the partition commits batches before its events
    catch_up(app, views)
    live = snapshot(views)

    plan = prepare(settings, NAMES, 2, resume=False)
    plan = type(plan)(plan.settings, plan.names, plan.count, plan.stop, batch_size=5)
    with pytest.raises(ProjectionError, match="waitlist failed on WaitlistContacted"):
        build_partition(plan, 0, projection_for=broken_on(broken))
    read = build_partition(plan, 1, batches=2)  # stopped after two batches of five

    first, second = (Partition(i, 2).tracked_as(UPSTREAM) for i in range(2))
    at = {
        name: opened.view.tracked_under(f"{UPSTREAM}{REBUILDING}") for name, opened in views.items()
    }
    assert (read, at["waitlist"][second]) == two_batches(app, settings, Partition(1, 2))
    assert 0 < at["waitlist"][first] < at["overview"][first] <= plan.stop  # a view ahead
    furthest_behind = min(at["waitlist"].values())
    assert views["waitlist"].view.rebuilding(UPSTREAM) == furthest_behind
    assert snapshot(views) == live  # the live views are untouched

    with pytest.raises(RebuildInterruptedError):  # not promoted before every partition ends
        promote(plan)
    reached = rebuild_in_processes(settings, NAMES, 2, batch_size=5, resume=True)

    assert reached == app.position()
    assert snapshot(views) == live  # nothing applied twice, nothing lost


def two_batches(app: CaseApplication, settings: Settings, partition: Partition) -> tuple[int, int]:
    """The events a partition read in two batches of five, and where it stands: SQLite reads
    the whole log (ten events, at 10); PostgreSQL only the partition's events, of two
    stretches of the log of five per partition (at 20)."""
    if settings.store == "sqlite":
        return 10, 10
    log = app.recorder.select_notifications(1, 20)
    return sum(partition.holds(n.originator_id) for n in log), 20


def test_the_command_line_rebuilds_all_views_in_two_processes(
    app: CaseApplication, views: Views, store_settings: Settings
) -> None:
    families(app, 8)
    catch_up(app, views)
    live = snapshot(views)
    env = {
        **os.environ,
        **store_env(store_settings),
        "GEZINSREGIE_POSTGRES_POOL_SIZE": str(LEAN_POOL),
    }

    result = subprocess.run(
        [str(GEZINSREGIE), "projections", "rebuild", "--all", "--processes", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{', '.join(NAMES)}: {app.position()} events" in result.stdout
    assert "2 processes" in result.stdout
    assert snapshot(views) == live


def test_every_case_belongs_to_exactly_one_partition_whatever_form_its_id_takes(
    app: CaseApplication,
) -> None:
    for family in families(app, 8):
        for count in (1, 2, 3):
            holders = [i for i in range(count) if Partition(i, count).holds(family.case_id)]
            assert len(holders) == 1
            assert Partition(holders[0], count).holds(family.id)  # as text, as some stores give
