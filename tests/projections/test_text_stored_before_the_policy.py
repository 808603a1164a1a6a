"""Events stored before text was checked at the edge may hold anything the event store
takes: NUL, controls, bidirectional and invisible characters. Every view processes them,
is read back and rebuilt without stopping (PostgreSQL's jsonb cannot hold NUL: there a NUL
is shown as U+FFFD, the character that stands for one that cannot be shown)."""

from __future__ import annotations

import json
from dataclasses import replace

from application.cases import CaseApplication
from domain.plan import Agreement, Goal
from projections.registry import OpenView, worker_for
from projections.view import RowFilter
from tests.factories import family as family_members
from tests.projections.support import UPSTREAM, Family

HOSTILE = "a\x00b\x1b[2J\u202egnp.exe\u200b\ufeff\x7fc"


def test_every_view_processes_reads_and_rebuilds_text_from_before_the_policy(
    app: CaseApplication, views: dict[str, OpenView]
) -> None:
    mother, father, child = family_members()
    members = [replace(mother, name=HOSTILE, address=HOSTILE), father, child]
    family = Family.open(app, members=members, help_question=HOSTILE)
    family.triage(1)
    family.assign(2)
    goal = Goal("g1", "child", HOSTILE, HOSTILE)
    agreement = Agreement("a1", "ggz-haaglanden", HOSTILE, professional=HOSTILE)
    family.do("adopt_plan", 3, goals=[goal], agreements=[agreement], next_evaluation=None)
    head = app.position()

    for name, opened in views.items():
        worker = worker_for(app, opened)
        worker.catch_up()
        assert opened.view.position(UPSTREAM) == head, name
        rows = opened.view.select_rows(RowFilter(case_id=family.id))
        assert rows, name
        before = json.dumps([r.doc for r in rows], sort_keys=True)
        assert "\x00" not in before or opened.view.__class__.__name__.startswith("SQLite")
        worker.rebuild()
        assert opened.view.position(UPSTREAM) == head, name
        rebuilt = opened.view.select_rows(RowFilter(case_id=family.id))
        assert json.dumps([r.doc for r in rebuilt], sort_keys=True) == before, name

    case = app.get_case(family.case_id)
    assert case.help_question == HOSTILE  # the event itself is kept as it was
