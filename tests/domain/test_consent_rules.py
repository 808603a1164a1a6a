"""Who may consent for whom, by age (002), and services that need both parents (004)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.case import Case
from domain.errors import (
    ConsentGiverError,
    ConsentNotInForceError,
    InvalidInputError,
    NotInCaseError,
)
from domain.vocabulary import ConsentForm, ConsentPurpose, DataCategory
from tests.factories import OPENED_AT, assert_rejected, at, family, open_case

TODAY = OPENED_AT.date()


def born_years_ago(years: int, days_after_birthday: int = 0) -> date:
    """A birth date that makes the child exactly `years` on the case's first day."""
    birthday = TODAY.replace(year=TODAY.year - years)
    return date.fromordinal(birthday.toordinal() - days_after_birthday)


def case_with_child_of(years: int, *, day_before_birthday: bool = False) -> Case:
    born = born_years_ago(years)
    if day_before_birthday:
        born = date.fromordinal(born.toordinal() + 1)
    return open_case(members=family(child_born=born))


def consent(case: Case, given_by: list[str], *, both_parents: bool = False) -> None:
    case.grant_consent(
        at(0),
        consent_id=f"consent-{len(case.consents)}",
        given_by=given_by,
        about=["child"],
        organisation="ggz-haaglanden",
        categories=[DataCategory.HELP_QUESTION],
        purpose=ConsentPurpose.REFERRAL,
        form=ConsentForm.WRITTEN,
        both_parents_required=both_parents,
    )


def rejects(case: Case, given_by: list[str], *, both_parents: bool = False) -> None:
    assert_rejected(
        case, ConsentGiverError, lambda: consent(case, given_by, both_parents=both_parents)
    )


def test_under_twelve_a_parent_with_authority_consents() -> None:
    case = case_with_child_of(11)
    consent(case, ["mother"])
    assert len(case.consents) == 1


def test_under_twelve_the_child_alone_cannot_consent() -> None:
    rejects(case_with_child_of(11), ["child"])


def test_on_the_day_before_turning_twelve_the_parents_still_suffice() -> None:
    consent(case_with_child_of(12, day_before_birthday=True), ["mother"])


def test_from_twelve_the_parents_alone_no_longer_suffice() -> None:
    rejects(case_with_child_of(12), ["mother"])


def test_from_twelve_the_child_alone_does_not_suffice() -> None:
    rejects(case_with_child_of(12), ["child"])


def test_from_twelve_to_sixteen_parent_and_young_person_consent_together() -> None:
    consent(case_with_child_of(12), ["mother", "child"])
    consent(case_with_child_of(15), ["father", "child"])


def test_on_the_day_before_turning_sixteen_the_parents_still_must_consent() -> None:
    rejects(case_with_child_of(16, day_before_birthday=True), ["child"])


def test_from_sixteen_the_young_person_alone_consents_about_themselves() -> None:
    consent(case_with_child_of(16), ["child"])


def test_from_sixteen_the_parents_cannot_consent_for_the_young_person() -> None:
    rejects(case_with_child_of(17), ["mother", "father"])


def test_a_parent_without_authority_cannot_consent_for_a_child() -> None:
    members = family()
    members[1] = members[1].__class__(**{**vars(members[1]), "parental_authority": False})
    case = open_case(members=members)
    rejects(case, ["father"])
    consent(case, ["mother"])


def test_a_service_that_needs_both_parents_needs_both() -> None:
    case = case_with_child_of(8)
    rejects(case, ["mother"], both_parents=True)
    consent(case, ["mother", "father"], both_parents=True)


def test_an_adult_consents_about_themselves_only() -> None:
    case = open_case()
    with pytest.raises(ConsentGiverError):
        case.grant_consent(
            at(0),
            consent_id="c",
            given_by=["mother"],
            about=["father"],
            organisation="ggz",
            categories=[DataCategory.HEALTH],
            purpose=ConsentPurpose.REFERRAL,
            form=ConsentForm.ORAL,
        )


def test_consent_names_family_members_and_categories() -> None:
    case = open_case()
    assert_rejected(
        case,
        InvalidInputError,
        lambda: case.grant_consent(
            at(0),
            consent_id="c",
            given_by=["the-neighbour"],
            about=["child"],
            organisation="ggz",
            categories=[DataCategory.HEALTH],
            purpose=ConsentPurpose.REFERRAL,
            form=ConsentForm.ORAL,
        ),
    )


def test_withdrawal_ends_the_consent_and_only_once() -> None:
    case = case_with_child_of(8)
    consent(case, ["mother"])
    case.withdraw_consent(at(1), consent_id="consent-0", withdrawn_by=["mother"])
    assert case.consents_in_force() == []
    assert_rejected(
        case,
        ConsentNotInForceError,
        lambda: case.withdraw_consent(at(2), consent_id="consent-0", withdrawn_by=["mother"]),
    )
    assert_rejected(
        case,
        NotInCaseError,
        lambda: case.withdraw_consent(at(2), consent_id="consent-9", withdrawn_by=["mother"]),
    )


def test_sharing_without_consent_names_its_legal_ground_and_considerations() -> None:
    case = open_case()
    assert_rejected(
        case,
        InvalidInputError,
        lambda: case.decide_sharing(
            at(1),
            shared=True,
            organisation="veilig-thuis",
            members=["child"],
            categories=[DataCategory.SAFETY],
            legal_ground=None,
            justification="zorgen over veiligheid",
        ),
    )
    case.decide_sharing(
        at(1),
        shared=False,
        organisation="school",
        members=["child"],
        categories=[DataCategory.HEALTH],
        legal_ground=None,
        justification="niet nodig voor de zorg op school",
    )
    assert case.sharing_decisions[0].shared is False
