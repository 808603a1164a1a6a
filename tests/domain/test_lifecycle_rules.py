"""Closing, reopening, linking and the 90-day inactivity rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.case import Case
from domain.errors import (
    CaseClosedError,
    CaseNotClosedError,
    ConsentRequiredError,
    NotDueForClosureError,
    OccurredAtError,
    ReopenNotAllowedError,
)
from domain.periods import CasePeriods
from domain.vocabulary import (
    ClosureReason,
    ConversationKind,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
)
from tests.factories import COACH, assert_rejected, at, consent_to_waitlist, open_case

PERIODS = CasePeriods()


def close(case: Case, days: float, reason: ClosureReason = ClosureReason.GOALS_REACHED) -> None:
    case.close(
        at(days, COACH),
        reason=reason,
        relapse_risk=RelapseRisk.LOW,
        aftercare_by="jgz",
        informed_organisations=["school-de-linde"],
        periods=PERIODS,
    )


def coached_and_closed(closed_on_day: float = 30) -> Case:
    case = open_case()
    case.assign_coach(at(1, COACH), coach="coach-anna", organisation="cjg-den-haag")
    close(case, closed_on_day)
    return case


def test_nothing_but_reopening_happens_on_a_closed_case() -> None:
    case = coached_and_closed()
    assert_rejected(
        case,
        CaseClosedError,
        lambda: case.triage(at(31), outcome=TriageOutcome.SINGLE, coordination_level=1),
    )
    assert_rejected(case, CaseClosedError, lambda: close(case, 32))


def test_the_same_coach_reopens_for_the_same_question_within_the_window() -> None:
    case = coached_and_closed(closed_on_day=30)
    case.reopen(at(120, COACH), coach="coach-anna", help_question_id="hq-1", periods=PERIODS)
    assert not case.is_closed
    assert case.reopen_count == 1
    assert case.coaching_active


def test_reopening_after_the_window_means_a_new_case() -> None:
    case = coached_and_closed(closed_on_day=30)
    with pytest.raises(ReopenNotAllowedError, match="open a new case"):
        case.reopen(at(121, COACH), coach="coach-anna", help_question_id="hq-1", periods=PERIODS)
    assert case.is_closed


def test_the_reopen_window_is_a_setting() -> None:
    case = coached_and_closed(closed_on_day=30)
    short = CasePeriods(reopen_window_days=10)
    assert_rejected(
        case,
        ReopenNotAllowedError,
        lambda: case.reopen(
            at(41, COACH), coach="coach-anna", help_question_id="hq-1", periods=short
        ),
    )
    case.reopen(at(40, COACH), coach="coach-anna", help_question_id="hq-1", periods=short)


def test_another_coach_cannot_reopen() -> None:
    case = coached_and_closed()
    assert_rejected(
        case,
        ReopenNotAllowedError,
        lambda: case.reopen(at(40), coach="coach-bob", help_question_id="hq-1", periods=PERIODS),
    )


def test_a_new_help_question_cannot_reopen() -> None:
    case = coached_and_closed()
    assert_rejected(
        case,
        ReopenNotAllowedError,
        lambda: case.reopen(at(40), coach="coach-anna", help_question_id="hq-2", periods=PERIODS),
    )


def test_only_a_closed_case_is_reopened_and_not_before_it_closed() -> None:
    case = open_case()
    assert_rejected(
        case,
        CaseNotClosedError,
        lambda: case.reopen(at(5), coach="coach-anna", help_question_id="hq-1", periods=PERIODS),
    )
    closed = coached_and_closed(closed_on_day=30)
    assert_rejected(
        closed,
        OccurredAtError,
        lambda: closed.reopen(at(29), coach="coach-anna", help_question_id="hq-1", periods=PERIODS),
    )


def test_a_new_case_links_to_a_closed_one_when_the_family_consents() -> None:
    old = coached_and_closed()
    new = open_case(previous_case=old, link_consented_by=["mother"], help_question_id="hq-2")
    assert new.previous_case_id == old.id


def test_linking_without_the_familys_consent_is_refused() -> None:
    old = coached_and_closed()
    with pytest.raises(ConsentRequiredError):
        open_case(previous_case=old, link_consented_by=[])
    with pytest.raises(ConsentRequiredError):
        open_case(previous_case=old, link_consented_by=["the-neighbour"])


def test_an_open_case_is_continued_not_linked() -> None:
    with pytest.raises(CaseNotClosedError):
        open_case(previous_case=open_case(), link_consented_by=["mother"])


def answered(case: Case, day: float = 1) -> Case:
    case.answer_help_question(at(day))
    return case


def test_a_case_without_active_help_is_due_for_closure_after_the_inactivity_period() -> None:
    case = answered(open_case(), day=10)
    assert not case.is_due_for_closure(PERIODS, at(99.9).occurred_at)
    assert case.is_due_for_closure(PERIODS, at(100).occurred_at)


def test_the_inactivity_period_is_a_setting() -> None:
    case = answered(open_case(), day=10)
    assert case.is_due_for_closure(CasePeriods(inactivity_days=30), at(40).occurred_at)


def test_any_new_fact_restarts_the_inactivity_period() -> None:
    case = answered(open_case(), day=10)
    case.hold_conversation(
        at(50),
        conversation_id="c1",
        kind=ConversationKind.PHONE,
        minutes=Decimal(5),
        writing_minutes=Decimal(0),
        participants=["mother"],
    )
    assert not case.is_due_for_closure(PERIODS, at(100).occurred_at)
    assert case.is_due_for_closure(PERIODS, at(140).occurred_at)


@pytest.mark.parametrize("activity", ["open question", "referral", "coaching", "waiting"])
def test_active_help_keeps_a_case_from_inactivity_closure(activity: str) -> None:
    case = open_case()
    if activity != "open question":
        answered(case)
    if activity == "referral":
        case.request_referral(
            at(2),
            referral_id="r1",
            member_id="child",
            destination=ReferralDestination.JEUGDTEAM,
            organisation="jeugdteam-centrum",
        )
    if activity == "coaching":
        case.assign_coach(at(2, COACH), coach="coach-anna", organisation="cjg-den-haag")
    if activity == "waiting":
        consent_to_waitlist(case, day=2)
        case.place_on_waitlist(at(2), priority=3)
    assert not case.is_due_for_closure(PERIODS, at(400).occurred_at)


def test_closing_as_inactive_needs_the_whole_period_without_help() -> None:
    case = answered(open_case(), day=10)
    assert_rejected(case, NotDueForClosureError, lambda: close(case, 60, ClosureReason.INACTIVE))
    close(case, 100, ClosureReason.INACTIVE)
    assert case.closure_reason is ClosureReason.INACTIVE


def test_closing_records_relapse_risk_aftercare_and_the_coach() -> None:
    case = coached_and_closed()
    assert case.relapse_risk is RelapseRisk.LOW
    assert case.aftercare_by == "jgz"
    assert case.closed_by_coach == "coach-anna"
    assert not case.coaching_active


def test_family_birth_dates_are_kept_as_dates() -> None:
    assert open_case().members["child"].birth_date == date(2018, 3, 1)
