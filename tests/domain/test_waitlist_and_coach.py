"""The waitlist needs consent; one regisseur at a time."""

from __future__ import annotations

import pytest

from domain.errors import CoachError, ConsentRequiredError, InvalidInputError, WaitlistError
from domain.periods import CasePeriods
from domain.vocabulary import ClosureReason, RelapseRisk, WaitlistExit
from tests.factories import COACH, assert_rejected, at, consent_to_waitlist, open_case


def test_placing_on_the_waitlist_needs_a_recorded_consent() -> None:
    case = open_case()
    assert_rejected(case, ConsentRequiredError, lambda: case.place_on_waitlist(at(1), priority=2))
    consent_to_waitlist(case, day=1)
    case.place_on_waitlist(at(1), priority=2)
    assert case.is_waiting
    assert case.waitlist is not None and case.waitlist.priority == 2


def test_a_withdrawn_consent_no_longer_allows_the_waitlist() -> None:
    case = open_case()
    consent_to_waitlist(case, day=1)
    case.withdraw_consent(at(2), consent_id="consent-waitlist", withdrawn_by=["mother"])
    assert_rejected(case, ConsentRequiredError, lambda: case.place_on_waitlist(at(3), priority=2))


def test_priority_lies_between_one_and_five() -> None:
    case = open_case()
    consent_to_waitlist(case)
    assert_rejected(case, InvalidInputError, lambda: case.place_on_waitlist(at(1), priority=0))


def test_contact_and_leaving_need_a_waiting_family() -> None:
    case = open_case()
    assert_rejected(case, WaitlistError, lambda: case.contact_waiting_family(at(1)))
    assert_rejected(
        case, WaitlistError, lambda: case.leave_waitlist(at(1), exit=WaitlistExit.WITHDRAWN)
    )
    consent_to_waitlist(case)
    case.place_on_waitlist(at(1), priority=3)
    case.contact_waiting_family(at(14))
    case.contact_waiting_family(at(28))
    assert case.waitlist is not None and len(case.waitlist.contacts) == 2
    case.leave_waitlist(at(30), exit=WaitlistExit.NO_LONGER_NEEDED)
    assert not case.is_waiting


def test_a_family_is_placed_only_once() -> None:
    case = open_case()
    consent_to_waitlist(case)
    case.place_on_waitlist(at(1), priority=3)
    assert_rejected(case, WaitlistError, lambda: case.place_on_waitlist(at(2), priority=1))


def test_assigning_a_coach_takes_the_family_off_the_waitlist() -> None:
    case = open_case()
    consent_to_waitlist(case)
    case.place_on_waitlist(at(1), priority=3)
    case.assign_coach(at(20, COACH), coach="coach-anna", organisation="cjg-den-haag")
    assert case.coach == "coach-anna"
    assert case.waitlist is not None
    assert case.waitlist.exit is WaitlistExit.COACH_ASSIGNED
    assert case.waitlist.left_at == at(20).occurred_at


def test_there_is_one_regisseur_at_a_time() -> None:
    case = open_case()
    case.assign_coach(at(1), coach="coach-anna", organisation="cjg-den-haag")
    assert_rejected(
        case,
        CoachError,
        lambda: case.assign_coach(at(2), coach="coach-bob", organisation="cjg-den-haag"),
    )
    case.change_coach(at(3), coach="coach-bob", organisation="cjg-den-haag", reason="verlof")
    assert case.coach == "coach-bob"
    assert case.coach_changes == 1


def test_a_coach_is_changed_only_when_there_is_one_and_to_someone_else() -> None:
    case = open_case()
    assert_rejected(
        case,
        CoachError,
        lambda: case.change_coach(at(1), coach="coach-bob", organisation="x", reason="r"),
    )
    case.assign_coach(at(1), coach="coach-anna", organisation="cjg-den-haag")
    assert_rejected(
        case,
        CoachError,
        lambda: case.change_coach(at(2), coach="coach-anna", organisation="x", reason="r"),
    )


def test_a_waiting_family_cannot_leave_for_a_coach_without_one_being_assigned() -> None:
    case = open_case()
    consent_to_waitlist(case)
    case.place_on_waitlist(at(1), priority=3)
    with pytest.raises(WaitlistError):
        case.leave_waitlist(at(2), exit=WaitlistExit.COACH_ASSIGNED)


def test_closing_the_case_ends_the_waiting() -> None:
    case = open_case()
    consent_to_waitlist(case)
    case.place_on_waitlist(at(1), priority=3)
    case.close(
        at(5),
        reason=ClosureReason.FAMILY_DECLINED,
        relapse_risk=RelapseRisk.UNKNOWN,
        aftercare_by="",
        informed_organisations=[],
        periods=CasePeriods(),
    )
    assert not case.is_waiting
    assert case.waitlist is not None and case.waitlist.exit is WaitlistExit.NO_LONGER_NEEDED
