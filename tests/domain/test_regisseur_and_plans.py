"""Everyone involved is told who the regisseur is; one plan, not one per organisation."""

from __future__ import annotations

from datetime import date

from domain.errors import CoachError
from domain.plan import Agreement, Goal
from tests.factories import COACH, assert_rejected, at, open_case


def test_the_regisseur_is_made_known_only_when_there_is_one() -> None:
    case = open_case()
    assert_rejected(
        case, CoachError, lambda: case.make_regisseur_known(at(1), organisations=["school"])
    )
    case.assign_coach(at(1, COACH), coach="coach-anna", organisation="cjg-den-haag")
    case.make_regisseur_known(at(2), organisations=["school", "jgz"])
    assert case.regisseur_known_to == {"school", "jgz"}


def test_a_round_table_with_a_regisseur_tells_its_participants() -> None:
    case = open_case()
    case.hold_round_table(at(1), members=["mother"], organisations=["ggz"], decisions="")
    assert case.regisseur_known_to == frozenset()
    case.assign_coach(at(2, COACH), coach="coach-anna", organisation="cjg-den-haag")
    case.hold_round_table(at(3), members=["mother"], organisations=["ggz"], decisions="")
    assert case.regisseur_known_to == {"ggz"}


def test_a_new_regisseur_must_be_made_known_again() -> None:
    case = open_case()
    case.assign_coach(at(1, COACH), coach="coach-anna", organisation="cjg-den-haag")
    case.make_regisseur_known(at(2), organisations=["school"])
    case.change_coach(at(3), coach="coach-bob", organisation="cjg-den-haag", reason="verlof")
    assert case.regisseur_known_to == frozenset()


def test_a_separate_plan_stays_until_the_gezinsplan_takes_up_that_organisation() -> None:
    case = open_case()
    case.report_separate_plan(at(1), organisation="ggz", description="eigen behandelplan")
    goals = [Goal("g1", "child", "gezondheid", "minder angst")]
    other = [Agreement("a1", "school", "contact", date(2026, 3, 1))]
    case.adopt_plan(at(2), goals=goals, agreements=other, next_evaluation=None)
    assert case.separate_plans == {"ggz"}
    taken_up = [*other, Agreement("a2", "ggz", "behandeling", date(2026, 4, 1))]
    case.revise_plan(at(3), goals=goals, agreements=taken_up, next_evaluation=None)
    assert case.separate_plans == frozenset()
