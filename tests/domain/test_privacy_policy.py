"""Who sees which categories of which family member (domain.md §3)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.case import Case
from domain.privacy import ALL_CATEGORIES, Viewer, visibility
from domain.vocabulary import ConsentForm, ConsentPurpose, DataCategory, LegalGround
from tests.factories import OPENED_AT, at, family, open_case

GGZ = Viewer("ggz-worker", "ggz-haaglanden", False, False, ConsentPurpose.REFERRAL)
TODAY = OPENED_AT.date()
IDENTITY, HELP = DataCategory.IDENTITY, DataCategory.HELP_QUESTION


def consent(
    case: Case,
    given_by: list[str],
    about: list[str],
    *,
    both: bool = False,
    organisation: str = "ggz-haaglanden",
    consent_id: str = "k1",
    categories: tuple[DataCategory, ...] = (IDENTITY, HELP),
) -> None:
    case.grant_consent(
        at(0),
        consent_id=consent_id,
        given_by=given_by,
        about=about,
        organisation=organisation,
        categories=list(categories),
        purpose=ConsentPurpose.REFERRAL,
        form=ConsentForm.WRITTEN,
        both_parents_required=both,
    )


def child_turning(years: int, on: date) -> Case:
    born = on.replace(year=on.year - years)
    return open_case(members=family(child_born=born))


def test_those_providing_care_see_everything_including_secret_addresses() -> None:
    carer = Viewer("coach-anna", "cjg-den-haag", True, False, ConsentPurpose.CARE_COORDINATION)
    shown = visibility(carer, open_case(), TODAY)
    assert all(shown.per_member[m] == set(ALL_CATEGORIES) for m in shown.per_member)
    assert shown.sees_address_of("mother", secret=True)


def test_another_organisation_sees_nothing_without_consent_and_is_told_why() -> None:
    shown = visibility(GGZ, open_case(), TODAY)
    assert shown.categories() == set()
    reasons = {w.reason for w in shown.withheld if w.category is IDENTITY}
    assert "no consent for category identity for organisation ggz-haaglanden (referral)" in reasons


def test_consent_opens_its_categories_for_its_members_to_its_organisation_only() -> None:
    case = open_case()
    consent(case, ["mother", "father"], ["child"])
    shown = visibility(GGZ, case, TODAY)
    assert shown.per_member["child"] == {IDENTITY, HELP}
    assert shown.per_member["mother"] == set()
    assert not shown.sees_family(HELP)  # family-level data needs every member
    school = Viewer("t", "school", False, False, ConsentPurpose.REFERRAL)
    assert visibility(school, case, TODAY).categories() == set()


def test_consent_is_for_its_purpose() -> None:
    case = open_case()
    consent(case, ["mother"], ["child"])
    coordinating = Viewer("g", "ggz-haaglanden", False, False, ConsentPurpose.CARE_COORDINATION)
    assert visibility(coordinating, case, TODAY).categories() == set()


def test_withdrawal_takes_effect_at_once() -> None:
    case = open_case()
    consent(case, ["mother"], ["child"])
    case.withdraw_consent(at(1), consent_id="k1", withdrawn_by=["mother"])
    assert visibility(GGZ, case, TODAY).categories() == set()


def test_a_parents_consent_about_an_eleven_year_old_holds() -> None:
    case = child_turning(11, TODAY)
    consent(case, ["mother"], ["child"])
    assert visibility(GGZ, case, TODAY).sees("child", IDENTITY)


def test_at_twelve_the_parents_consent_alone_no_longer_covers_the_young_person() -> None:
    case = child_turning(11, TODAY)
    consent(case, ["mother"], ["child"])
    birthday = TODAY.replace(year=TODAY.year + 1)
    assert not visibility(GGZ, case, birthday).sees("child", IDENTITY)
    assert visibility(GGZ, case, birthday - timedelta(days=1)).sees("child", IDENTITY)


def test_from_twelve_to_sixteen_parent_and_young_person_together_suffice() -> None:
    case = child_turning(15, TODAY)
    consent(case, ["mother", "child"], ["child"])
    assert visibility(GGZ, case, TODAY).sees("child", IDENTITY)
    sixteen = TODAY.replace(year=TODAY.year + 1)
    assert visibility(GGZ, case, sixteen).sees("child", IDENTITY)  # the young person consented


def test_from_sixteen_the_young_person_alone_consents_about_themselves() -> None:
    case = child_turning(16, TODAY)
    consent(case, ["child"], ["child"])
    shown = visibility(GGZ, case, TODAY)
    assert shown.sees("child", IDENTITY)
    assert not shown.sees("mother", IDENTITY)  # only about themselves


def test_a_service_needing_both_parents_opens_with_both_parents_consent() -> None:
    case = child_turning(8, TODAY)
    consent(case, ["mother", "father"], ["child"], both=True)
    assert visibility(GGZ, case, TODAY).per_member["child"] == {IDENTITY, HELP}


def test_a_both_parents_consent_lapses_for_the_young_person_at_twelve() -> None:
    case = child_turning(11, TODAY)
    consent(case, ["mother", "father"], ["child"], both=True)
    birthday = TODAY.replace(year=TODAY.year + 1)
    shown = visibility(GGZ, case, birthday)
    assert not shown.sees("child", IDENTITY)
    assert any(w.member_id == "child" and "does not cover" in w.reason for w in shown.withheld)


def test_a_refusal_wins_over_consent() -> None:
    case = open_case()
    consent(case, ["mother", "father"], ["mother", "father", "child"])
    case.record_refusal(
        at(1), refusal_id="r1", given_by=["mother"], recipient="ggz-haaglanden", categories=[HELP]
    )
    shown = visibility(GGZ, case, TODAY)
    assert not shown.sees("child", HELP)
    assert shown.sees("child", IDENTITY)
    assert any("refused" in w.reason for w in shown.withheld)


def test_a_secret_address_is_never_shown_outside_direct_care() -> None:
    members = family()
    members[0] = members[0].__class__(**{**vars(members[0]), "address_secret": True})
    case = open_case(members=members)
    consent(
        case, ["mother", "father"], ["mother", "father"], categories=(DataCategory.CONTACT_ADDRESS,)
    )
    shown = visibility(GGZ, case, TODAY)
    assert not shown.sees_address_of("mother", secret=True)
    assert shown.sees_address_of("father", secret=False)
    auditor = Viewer("i", "inspectie", False, True, ConsentPurpose.CARE_COORDINATION)
    assert not visibility(auditor, case, TODAY).sees_address_of("mother", secret=True)


def test_a_disclosure_opens_exactly_what_it_names_to_exactly_whom() -> None:
    case = open_case()
    case.record_refusal(
        at(1),
        refusal_id="r1",
        given_by=["mother"],
        recipient="veilig-thuis",
        categories=[DataCategory.SAFETY],
    )
    case.decide_sharing(
        at(2),
        shared=True,
        organisation="veilig-thuis",
        members=["child"],
        categories=[DataCategory.SAFETY],
        legal_ground=LegalGround.MELDRECHT_WMO_5_2_6,
        justification="zorgen over de veiligheid",
    )
    vt = Viewer("m", "veilig-thuis", False, False, ConsentPurpose.REFERRAL)
    shown = visibility(vt, case, TODAY)
    assert shown.family_opened == {DataCategory.SAFETY}  # safety is the family's data
    assert shown.sees_family(DataCategory.SAFETY)
    assert shown.per_member == {"mother": set(), "father": set(), "child": set()}
    assert any("meldrecht" in g for g in shown.grounds)
    assert visibility(GGZ, case, TODAY).categories() == set()


def test_a_decision_not_to_share_opens_nothing() -> None:
    case = open_case()
    case.decide_sharing(
        at(1),
        shared=False,
        organisation="ggz-haaglanden",
        members=["child"],
        categories=[IDENTITY],
        legal_ground=None,
        justification="niet nodig",
    )
    assert visibility(GGZ, case, TODAY).categories() == set()
