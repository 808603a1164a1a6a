"""The family role (domain/authorization.py, domain/privacy.py): a member of the case
reads their own family's file (names, plan, consents; not the help question, notes,
safety or addresses), withdraws a consent they gave or that is about them, and sees who
read the file; nothing of any other case."""

from __future__ import annotations

from domain.authorization import (
    Duty,
    Role,
    User,
    may_perform,
    may_read,
    may_see_coordination,
    may_see_who_read_the_file,
    may_withdraw_consent,
)
from domain.case import Case
from domain.privacy import FAMILY_SEES, viewer_for, visibility
from domain.vocabulary import DataCategory
from tests.domain.test_privacy_policy import TODAY, consent
from tests.factories import open_case


def member_of(case: Case, member_id: str) -> User:
    return User(
        f"gezin:{member_id}", "gezin", frozenset({Role.FAMILY}), member_of=(str(case.id), member_id)
    )


def test_a_family_member_reads_their_own_file_and_no_other() -> None:
    own, other = open_case(), open_case()
    mother = member_of(own, "mother")
    assert may_read(mother, own)
    assert not may_read(mother, other)
    assert not may_read(member_of(own, "grandmother"), own), "only a member of the case"


def test_a_family_member_does_not_act_on_the_case_nor_see_the_coordination_views() -> None:
    case = open_case()
    mother = member_of(case, "mother")
    assert not any(may_perform(mother, case, duty) for duty in Duty)
    assert not may_see_coordination(mother)


def test_the_family_sees_names_plan_and_consents_but_not_the_help_question() -> None:
    case = open_case()
    consent(case, ["mother", "father"], ["child"])
    shown = visibility(viewer_for(member_of(case, "child"), case, None), case, TODAY)
    assert all(categories == set(FAMILY_SEES) for categories in shown.per_member.values())
    assert not shown.sees_family(DataCategory.HELP_QUESTION)
    assert not shown.sees_address_of("mother", secret=False)
    assert shown.sees_consent(case.consents["k1"])
    assert DataCategory.HELP_QUESTION in {w.category for w in shown.withheld}


def test_a_consent_is_withdrawn_by_a_member_who_gave_it_or_whom_it_is_about() -> None:
    case = open_case()
    consent(case, ["mother"], ["child"])
    assert may_withdraw_consent(member_of(case, "mother"), case, "k1")
    assert may_withdraw_consent(member_of(case, "child"), case, "k1")
    assert not may_withdraw_consent(member_of(case, "father"), case, "k1")
    assert not may_withdraw_consent(member_of(open_case(), "mother"), case, "k1")


def test_the_family_sees_who_read_their_file() -> None:
    case = open_case()
    assert may_see_who_read_the_file(member_of(case, "father"), case)
    assert not may_see_who_read_the_file(member_of(open_case(), "father"), case)
