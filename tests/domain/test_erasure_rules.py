"""Erasure (domain.md §3, Jeugdwet art. 7.3.11): who may ask, the 3-month deadline, the
retention period, the legal hold, and a member whose birth date is erased."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.case import Case
from domain.consent import check_may_consent_about
from domain.erasure import add_months, erasure_due_on, retention_ends_on
from domain.errors import (
    CaseErasedError,
    ConsentGiverError,
    ErasureOrderError,
    ErasureRequestError,
    LegalHoldError,
    RetentionError,
)
from domain.periods import CasePeriods
from domain.vocabulary import (
    ClosureReason,
    ErasureRefusalGround,
    ErasureRelation,
    ErasureScope,
    ErasureStatus,
    RelapseRisk,
)
from tests.factories import assert_rejected, at, family, open_case

DOSSIER, MEMBER = ErasureScope.DOSSIER, ErasureScope.MEMBER


def with_child_born(born: date) -> Case:
    return open_case(members=family(child_born=born))


def closed_case() -> Case:
    case = open_case()
    case.close(
        at(10),
        reason=ClosureReason.GOALS_REACHED,
        relapse_risk=RelapseRisk.LOW,
        aftercare_by="",
        informed_organisations=[],
        periods=CasePeriods(),
    )
    return case


def test_the_deadline_is_three_calendar_months_after_the_request() -> None:
    assert erasure_due_on(date(2026, 1, 15)) == date(2026, 4, 15)
    assert erasure_due_on(date(2025, 11, 30)) == date(2026, 2, 28)  # no 30 February
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert retention_ends_on(date(2026, 2, 1), 20) == date(2046, 2, 1)
    assert retention_ends_on(date(2024, 2, 29), 25) == date(2049, 3, 1)  # never a day less
    assert retention_ends_on(date(2024, 2, 29), 20) == date(2044, 2, 29)


def test_a_parent_with_gezag_asks_for_the_dossier_and_the_request_carries_its_deadline() -> None:
    case = open_case()
    case.request_erasure(at(5), request_id="e1", requested_by="mother", scope=DOSSIER)

    request = case.erasure_requests["e1"]
    assert request.relation is ErasureRelation.PARENT_WITH_AUTHORITY
    assert request.due_on == erasure_due_on(at(5).occurred_at.date())
    assert request.status is ErasureStatus.REQUESTED


@pytest.mark.parametrize(
    ("child_born", "allowed"),
    [(date(2014, 1, 5), True), (date(2014, 1, 6), False), (date(2018, 3, 1), False)],
)
def test_a_young_person_asks_from_the_day_they_turn_twelve(child_born: date, allowed: bool) -> None:
    case = with_child_born(child_born)  # the case opens on 2026-01-05

    def ask() -> None:
        case.request_erasure(at(0), request_id="e1", requested_by="child", scope=DOSSIER)

    if allowed:
        ask()
        assert case.erasure_requests["e1"].relation is ErasureRelation.YOUNG_PERSON
    else:
        assert_rejected(case, ErasureRequestError, ask)


def test_an_adult_without_gezag_asks_only_for_their_own_identifying_data() -> None:
    members = family()
    members[1] = replace(members[1], parental_authority=False)
    case = open_case(members=members)

    assert_rejected(
        case,
        ErasureRequestError,
        lambda: case.request_erasure(at(1), request_id="e1", requested_by="father", scope=DOSSIER),
    )
    assert_rejected(
        case,
        ErasureRequestError,
        lambda: case.request_erasure(
            at(1), request_id="e1", requested_by="father", scope=MEMBER, member_id="child"
        ),
    )
    case.request_erasure(
        at(1), request_id="e1", requested_by="father", scope=MEMBER, member_id="father"
    )
    assert case.erasure_requests["e1"].relation is ErasureRelation.ADULT_MEMBER


def test_a_parent_speaks_for_a_child_under_sixteen_not_for_one_of_sixteen() -> None:
    young = with_child_born(date(2012, 1, 1))  # 14
    young.request_erasure(
        at(1), request_id="e1", requested_by="mother", scope=MEMBER, member_id="child"
    )
    older = with_child_born(date(2009, 1, 1))  # 17

    assert_rejected(
        older,
        ErasureRequestError,
        lambda: older.request_erasure(
            at(1), request_id="e1", requested_by="mother", scope=MEMBER, member_id="child"
        ),
    )


def test_a_refusal_names_its_legal_ground_and_a_request_is_assessed_once() -> None:
    case = closed_case()
    case.request_erasure(at(20), request_id="e1", requested_by="mother", scope=DOSSIER)
    case.assess_erasure(
        at(21),
        request_id="e1",
        refusal_ground=ErasureRefusalGround.SIGNIFICANT_INTEREST_OF_ANOTHER,
        justification="het belang van de broer",
    )

    assert case.erasure_requests["e1"].status is ErasureStatus.REFUSED
    assert_rejected(case, ErasureOrderError, lambda: case.assess_erasure(at(22), request_id="e1"))
    assert_rejected(case, ErasureOrderError, lambda: case.execute_erasure(at(22), request_id="e1"))


def test_a_legal_hold_stops_execution_until_it_is_lifted() -> None:
    case = closed_case()
    case.request_erasure(at(20), request_id="e1", requested_by="mother", scope=DOSSIER)
    case.assess_erasure(at(21), request_id="e1")
    case.place_legal_hold(at(22), reason="procedure bij de rechtbank")

    assert_rejected(case, LegalHoldError, lambda: case.execute_erasure(at(23), request_id="e1"))
    case.lift_legal_hold(at(24), reason="uitspraak gedaan")
    case.execute_erasure(at(25), request_id="e1")

    assert case.is_erased
    assert case.erasure_requests["e1"].status is ErasureStatus.EXECUTED
    assert_rejected(case, CaseErasedError, lambda: case.place_legal_hold(at(26), reason="te laat"))


def test_retention_destroys_a_closed_dossier_only_once_its_period_has_ended() -> None:
    case = closed_case()  # care ended on 2026-01-15
    periods = CasePeriods(retention_years=20)
    last_day_kept = at(7314)  # 2046-01-14 (20 years hold 5 leap days)

    assert_rejected(
        case, RetentionError, lambda: case.destroy_after_retention(last_day_kept, periods=periods)
    )
    case.destroy_after_retention(at(7315), periods=periods)  # 2046-01-15
    assert case.is_erased


def test_an_open_case_is_never_due_for_retention() -> None:
    case = open_case()
    assert_rejected(
        case,
        RetentionError,
        lambda: case.destroy_after_retention(at(30 * 365), periods=CasePeriods()),
    )


def test_a_child_whose_birth_date_was_erased_consents_together_with_the_parents() -> None:
    members = family()
    child = replace(members[2], birth_date=None)
    everyone = [members[0], members[1], child]

    with pytest.raises(ConsentGiverError, match="age is unknown"):
        check_may_consent_about(child, {"mother"}, everyone, date(2026, 6, 1), False)
    with pytest.raises(ConsentGiverError):
        check_may_consent_about(child, {"child"}, everyone, date(2026, 6, 1), False)
    check_may_consent_about(child, {"mother", "child"}, everyone, date(2026, 6, 1), False)


def test_a_retention_period_shorter_than_the_law_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 20 years"):
        CasePeriods(retention_years=15)
