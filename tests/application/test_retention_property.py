"""Destruction on time, property-based with a clock: random cases are closed (or not), put
under a legal hold (and maybe released), asked to be erased (granted or refused), while
`retention run` runs on random days over 21 years. After every run: nothing was destroyed
early (before a grant, or before 20 years after the end of care), nothing due was left
(unless held), a held case was left alone, and a second run the same day does nothing.
Commands on an erased dossier are refused and change nothing.

The oracle below states the rules itself (domain.md §3); it does not call domain/erasure.py."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from application.cases import CaseApplication
from application.clock import FixedClock
from application.retention import Outcome, run_retention
from application.settings import load_settings
from domain.commands import AssessErasure, CloseCase, LiftLegalHold, PlaceLegalHold, RequestErasure
from domain.errors import CaseErasedError
from domain.vocabulary import ClosureReason, ErasureRefusalGround, ErasureScope, RelapseRisk
from tests.factories import COORDINATOR, OPENED_AT, melding

YEARS = 20
LAST_DAY = 21 * 366
RETENTION_DAYS = YEARS * 365 + YEARS // 4
EXAMPLES = max(25, settings().max_examples // 2)  # ~50 ms each
PRIVACY_OFFICER = COORDINATOR  # the application does not check roles; the API does


def day_of(day: int) -> datetime:
    return OPENED_AT + timedelta(days=day, hours=1)


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: kept until 1 March
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class Plan:
    """What happens to one case, on which days (days after it opened)."""

    closed_on: int | None
    hold: tuple[int, int | None] | None
    request: tuple[int, int, bool] | None  # asked, assessed, granted


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    closed_on = draw(st.none() | st.integers(1, 400))
    hold = None
    if draw(st.booleans()):
        placed = draw(st.integers(1, LAST_DAY - 10) | st.integers(RETENTION_DAYS, LAST_DAY - 10))
        lifted = draw(st.none() | st.integers(placed + 1, LAST_DAY))
        hold = (placed, lifted)
    request = None
    if draw(st.booleans()):
        asked = draw(st.integers(1, LAST_DAY - 10))
        assessed = draw(st.integers(asked, min(asked + 120, LAST_DAY)))
        request = (asked, assessed, draw(st.booleans()))
    return Plan(closed_on, hold, request)


@dataclass
class Model:
    """What the oracle knows of a case: when it became due, whether it is erased."""

    plan: Plan
    erased_on: int | None = None

    def held_on(self, day: int) -> bool:
        if self.plan.hold is None:
            return False
        placed, lifted = self.plan.hold
        return placed <= day and (lifted is None or day < lifted)

    def due_on(self, day: int) -> bool:
        """Granted and assessed by `day`, or 20 years since care ended."""
        granted = self.plan.request is not None and self.plan.request[2]
        if granted and self.plan.request is not None and self.plan.request[1] <= day:
            return True
        if self.plan.closed_on is None:
            return False
        ends = years_later(day_of(self.plan.closed_on).date(), YEARS)
        return ends <= day_of(day).date()


def schedule(case_plans: list[Plan], runs: list[int]) -> list[tuple[int, str, int]]:
    """Every command and run, in the order of their days (commands before a run)."""
    steps: list[tuple[int, int, str, int]] = []
    for index, plan in enumerate(case_plans):
        if plan.closed_on is not None:
            steps.append((plan.closed_on, 0, "close", index))
        if plan.hold is not None:
            steps.append((plan.hold[0], 0, "hold", index))
            if plan.hold[1] is not None:
                steps.append((plan.hold[1], 0, "lift", index))
        if plan.request is not None:
            steps.append((plan.request[0], 0, "request", index))
            steps.append((plan.request[1], 1, "assess", index))
    steps += [(day, 2, "run", -1) for day in runs]
    return [(day, what, index) for day, _, what, index in sorted(steps)]


@st.composite
def run_days(draw: st.DrawFn, case_plans: list[Plan]) -> list[int]:
    """Days of runs, many of them close to when something becomes due or a hold ends."""
    anchors = [1]
    for plan in case_plans:
        if plan.closed_on is not None:
            anchors.append(plan.closed_on + RETENTION_DAYS)
        if plan.request is not None:
            anchors.append(plan.request[1])
        if plan.hold is not None and plan.hold[1] is not None:
            anchors.append(plan.hold[1])
    near = st.builds(
        lambda anchor, offset: min(LAST_DAY, max(1, anchor + offset)),
        st.sampled_from(anchors),
        st.integers(-3, 3),
    )
    days = st.one_of(near, near, st.integers(1, LAST_DAY))
    return sorted(set(draw(st.lists(days, min_size=1, max_size=6))))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Plan], list[int]]:
    case_plans = draw(st.lists(plans(), min_size=1, max_size=3))
    return case_plans, draw(run_days(case_plans))


@settings(max_examples=EXAMPLES, deadline=None)
@given(scenario=scenarios())
def test_nothing_is_destroyed_early_or_late_a_hold_is_respected_and_a_rerun_does_nothing(
    scenario: tuple[list[Plan], list[int]],
) -> None:
    case_plans, runs = scenario
    with tempfile.TemporaryDirectory() as directory:
        clock = FixedClock(day_of(0))
        app = CaseApplication(load_settings(data_dir=Path(directory)), clock)
        try:
            ids = [
                app.open_case(COORDINATOR, occurred_at=day_of(0), **melding())[0]
                for _ in case_plans
            ]
            models = [Model(plan) for plan in case_plans]
            for day, what, index in schedule(case_plans, runs):
                clock.at = day_of(day)
                note(f"day {day}: {what} {index}")
                if what == "run":
                    check_run(app, ids, models, day)
                    event(f"erased: {sum(m.erased_on is not None for m in models)}")
                    event(f"held when due: {any(m.held_on(day) and m.due_on(day) for m in models)}")
                else:
                    act(app, ids[index], models[index], what, day)
        finally:
            app.close()


def act(app: CaseApplication, case_id: UUID, model: Model, what: str, day: int) -> None:
    """A command on the case; on an erased dossier it is refused and changes nothing."""
    at = day_of(day)
    command = {
        "close": lambda: app.execute(
            case_id,
            COORDINATOR,
            CloseCase(
                reason=ClosureReason.GOALS_REACHED,
                relapse_risk=RelapseRisk.LOW,
                aftercare_by="",
                informed_organisations=[],
            ),
            occurred_at=at,
        ),
        "hold": lambda: app.execute(
            case_id, PRIVACY_OFFICER, PlaceLegalHold(reason="rechtszaak"), occurred_at=at
        ),
        "lift": lambda: app.execute(
            case_id, PRIVACY_OFFICER, LiftLegalHold(reason="uitspraak"), occurred_at=at
        ),
        "request": lambda: app.execute(
            case_id,
            COORDINATOR,
            RequestErasure(request_id="e1", requested_by="mother", scope=ErasureScope.DOSSIER),
            occurred_at=at,
        ),
        "assess": lambda: app.execute(
            case_id,
            PRIVACY_OFFICER,
            AssessErasure(
                request_id="e1",
                **{}
                if model.plan.request and model.plan.request[2]
                else {
                    "refusal_ground": ErasureRefusalGround.LEGAL_OBLIGATION,
                    "justification": "lopend onderzoek",
                },
            ),
            occurred_at=at,
        ),
    }[what]
    if model.erased_on is not None:
        before = app.get_case(case_id).version
        with pytest.raises(CaseErasedError):
            command()
        assert app.get_case(case_id).version == before
        return
    command()


def check_run(app: CaseApplication, ids: list[UUID], models: list[Model], day: int) -> None:
    actions = run_retention(app, day_of(day))
    for case_id, model in zip(ids, models, strict=True):
        case = app.get_case(case_id)
        due, held = model.due_on(day), model.held_on(day)
        if model.erased_on is None and due and not held:
            model.erased_on = day
        assert case.is_erased == (model.erased_on is not None), (day, model)
        if case.is_erased:
            [erasure] = case.erasures
            assert erasure.erased_at == day_of(model.erased_on or 0), "destroyed early or late"
            assert erasure.erased_at.date() <= day_of(day).date()
        destroyed_now = [
            a for a in actions if a.case_id == case_id and a.outcome is Outcome.DESTROYED
        ]
        assert bool(destroyed_now) == (model.erased_on == day)
        held_now = [a for a in actions if a.case_id == case_id and a.outcome is Outcome.HELD]
        assert bool(held_now) == (model.erased_on is None and due and held)
    position = app.position()
    again = run_retention(app, day_of(day))
    assert not [a for a in again if a.outcome is Outcome.DESTROYED]
    assert app.position() == position
