"""Referral order, the one versioned plan, and when facts may have happened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.case import Case
from domain.errors import (
    InvalidInputError,
    NotInCaseError,
    OccurredAtError,
    PlanError,
    ReferralTransitionError,
)
from domain.family import FamilyMember
from domain.plan import Agreement, Goal
from domain.provenance import Provenance
from domain.vocabulary import (
    ConversationKind,
    MemberRole,
    ReferralDestination,
    ReferralStatus,
    TriageOutcome,
)
from tests.factories import (
    COORDINATOR,
    OPENED_AT,
    assert_rejected,
    at,
    family,
    melding,
    open_case,
)


def referred(case: Case) -> Case:
    case.request_referral(
        at(1),
        referral_id="r1",
        member_id="child",
        destination=ReferralDestination.SPECIALISED_GGZ,
        organisation="ggz-haaglanden",
    )
    return case


def test_a_referral_runs_requested_accepted_started_ended() -> None:
    case = referred(open_case())
    case.accept_referral(at(2), referral_id="r1")
    case.start_care(at(120), referral_id="r1")
    case.extend_referral(at(200), referral_id="r1", until=date(2026, 12, 31), reason="evaluatie")
    case.end_care(at(300), referral_id="r1", reason="doelen bereikt")
    referral = case.referrals["r1"]
    assert referral.status is ReferralStatus.CARE_ENDED
    assert referral.started_at == at(120).occurred_at
    assert referral.extended_until == date(2026, 12, 31)


@pytest.mark.parametrize(
    "steps",
    [
        ["start"],
        ["end"],
        ["reject", "accept"],
        ["accept", "accept"],
        ["accept", "start", "end", "start"],
    ],
)
def test_referral_transitions_happen_only_in_their_order(steps: list[str]) -> None:
    case = referred(open_case())
    moves = {
        "accept": lambda day: case.accept_referral(at(day), referral_id="r1"),
        "reject": lambda day: case.reject_referral(at(day), referral_id="r1", reason="vol"),
        "start": lambda day: case.start_care(at(day), referral_id="r1"),
        "end": lambda day: case.end_care(at(day), referral_id="r1", reason="klaar"),
    }
    for day, step in enumerate(steps[:-1], start=2):
        moves[step](day)
    assert_rejected(case, ReferralTransitionError, lambda: moves[steps[-1]](20))


def test_only_started_care_is_extended() -> None:
    case = referred(open_case())
    assert_rejected(
        case,
        ReferralTransitionError,
        lambda: case.extend_referral(at(5), referral_id="r1", until=date(2026, 9, 1), reason="x"),
    )


def test_a_rejection_gives_its_reason_and_names_a_known_referral() -> None:
    case = referred(open_case())
    assert_rejected(
        case, InvalidInputError, lambda: case.reject_referral(at(2), referral_id="r1", reason=" ")
    )
    assert_rejected(case, NotInCaseError, lambda: case.accept_referral(at(2), referral_id="r9"))


def test_a_referral_step_cannot_precede_the_previous_step() -> None:
    case = referred(open_case())
    case.accept_referral(at(10), referral_id="r1")
    assert_rejected(case, OccurredAtError, lambda: case.start_care(at(5), referral_id="r1"))


PLAN = {
    "goals": [Goal("g1", "child", "school", "gaat weer naar school")],
    "agreements": [Agreement("a1", "school-de-linde", "dagelijks contact", date(2026, 3, 1))],
    "next_evaluation": date(2026, 4, 1),
}


def test_one_family_one_plan_then_revisions() -> None:
    case = open_case()
    assert_rejected(case, PlanError, lambda: case.revise_plan(at(1), **PLAN))
    case.adopt_plan(at(1), **PLAN)
    assert_rejected(case, PlanError, lambda: case.adopt_plan(at(2), **PLAN))
    case.revise_plan(at(3), **PLAN)
    assert case.plan is not None and case.plan.version == 2


def test_plan_goals_are_for_family_members() -> None:
    case = open_case()
    stranger = {**PLAN, "goals": [Goal("g1", "the-neighbour", "wonen", "x")]}
    assert_rejected(case, InvalidInputError, lambda: case.adopt_plan(at(1), **stranger))


def test_evaluation_and_broken_agreements_need_the_plan() -> None:
    case = open_case()
    evaluate = lambda: case.evaluate_plan(  # noqa: E731
        at(2), members=["mother"], organisations=["school"], conclusions="", next_evaluation=None
    )
    assert_rejected(case, PlanError, evaluate)
    case.adopt_plan(at(1), **PLAN)
    evaluate()
    assert case.plan is not None and case.plan.evaluations == 1
    assert_rejected(
        case, PlanError, lambda: case.record_broken_agreement(at(3), agreement_id="a9", notes="")
    )
    case.record_broken_agreement(at(3), agreement_id="a1", notes="niet gebeld")
    assert len(case.broken_agreements) == 1


def test_a_fact_cannot_have_happened_before_the_case_opened() -> None:
    case = open_case()
    assert_rejected(
        case,
        OccurredAtError,
        lambda: case.triage(at(-1), outcome=TriageOutcome.COMPLEX, coordination_level=3),
    )


def test_a_fact_cannot_have_happened_in_the_future() -> None:
    case = open_case()
    future = at(5, recorded_days=4)
    assert_rejected(
        case,
        OccurredAtError,
        lambda: case.triage(future, outcome=TriageOutcome.COMPLEX, coordination_level=3),
    )
    with pytest.raises(OccurredAtError):
        open_case_at(future)


def open_case_at(by: Provenance) -> Case:
    return Case.open(case_id=uuid4(), by=by, **melding())


def test_a_fact_may_be_recorded_late() -> None:
    case = open_case()
    case.triage(at(3, recorded_days=30), outcome=TriageOutcome.CRISIS, coordination_level=5)
    assert case.last_activity_at == at(3).occurred_at
    assert case.modified_on == at(30).recorded_at


def test_times_must_carry_a_timezone() -> None:
    with pytest.raises(OccurredAtError):
        Provenance(COORDINATOR, datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))


def test_the_coordination_level_lies_between_zero_and_five() -> None:
    case = open_case()
    assert_rejected(
        case,
        InvalidInputError,
        lambda: case.triage(at(1), outcome=TriageOutcome.COMPLEX, coordination_level=6),
    )


def test_minutes_are_exact_and_not_negative() -> None:
    case = open_case()
    case.hold_conversation(
        at(1),
        conversation_id="c1",
        kind=ConversationKind.HOME_VISIT,
        minutes=Decimal("22.5"),
        writing_minutes=Decimal("7.5"),
        participants=["mother", "coach-anna"],
    )
    case.register_time(at(2), minutes=Decimal(60), writing_minutes=Decimal(0))
    assert case.total_minutes == Decimal("90.0")
    assert_rejected(
        case,
        InvalidInputError,
        lambda: case.register_time(at(3), minutes=Decimal(-1), writing_minutes=Decimal(0)),
    )


def test_a_family_has_a_parent_and_a_child_of_at_most_23() -> None:
    parent = family()[0]
    with pytest.raises(InvalidInputError):
        open_case(members=[parent])
    too_old = FamilyMember("c", MemberRole.CHILD, "x", OPENED_AT.date() - timedelta(days=24 * 366))
    with pytest.raises(InvalidInputError):
        open_case(members=[parent, too_old])
