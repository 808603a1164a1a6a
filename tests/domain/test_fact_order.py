"""A fact cannot precede the fact it follows: revisions, contacts, coach changes."""

from __future__ import annotations

from datetime import date

from domain.errors import OccurredAtError
from domain.plan import Agreement, Goal
from tests.factories import COACH, assert_rejected, at, consent_to_waitlist, open_case

PLAN = {
    "goals": [Goal("g1", "child", "school", "naar school")],
    "agreements": [Agreement("a1", "school", "contact", date(2026, 3, 1))],
    "next_evaluation": None,
}


def test_a_plan_is_not_revised_or_evaluated_before_it_was_adopted() -> None:
    case = open_case()
    case.adopt_plan(at(10), **PLAN)
    assert_rejected(case, OccurredAtError, lambda: case.revise_plan(at(5), **PLAN))
    assert_rejected(
        case,
        OccurredAtError,
        lambda: case.evaluate_plan(
            at(5), members=[], organisations=[], conclusions="", next_evaluation=None
        ),
    )


def test_a_waiting_family_is_not_contacted_before_it_was_placed() -> None:
    case = open_case()
    consent_to_waitlist(case, day=1)
    case.place_on_waitlist(at(10), priority=3)
    assert_rejected(case, OccurredAtError, lambda: case.contact_waiting_family(at(5)))


def test_a_coach_is_not_changed_or_ended_before_they_started() -> None:
    case = open_case()
    case.assign_coach(at(10, COACH), coach="coach-anna", organisation="cjg-den-haag")
    assert_rejected(
        case,
        OccurredAtError,
        lambda: case.change_coach(at(5), coach="coach-bob", organisation="cjg", reason="r"),
    )
    assert_rejected(case, OccurredAtError, lambda: case.end_coaching(at(5), reason="klaar"))
