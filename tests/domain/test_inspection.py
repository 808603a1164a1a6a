"""Inspection verdicts from case histories alone: the Lelystad findings (001) reproduced,
each verdict citing the events it rests on by position and topic."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.case import Case
from domain.case_event import CaseEvent
from domain.events_intake import (
    CaseOpened,
    CoachAssigned,
    CoachChanged,
    RegisseurMadeKnown,
    WaitlistLeft,
    WaitlistPlaced,
)
from domain.events_lifecycle import CaseClosed, Escalated
from domain.events_plan import (
    AgreementBroken,
    PlanAdopted,
    PlanEvaluated,
    PlanRevised,
    RoundTableHeld,
    SeparatePlanReported,
)
from domain.events_referral import ReferralCareStarted, ReferralRejected, ReferralRequested
from domain.inspection import FRAMEWORK, IndicatorResult, Theme, Verdict, inspect
from domain.periods import CasePeriods
from domain.plan import Agreement, Goal
from domain.vocabulary import (
    ClosureReason,
    ConversationKind,
    EscalationTarget,
    ReferralDestination,
    RelapseRisk,
)
from tests.factories import COACH, OPENED_AT, at, consent_to_waitlist, open_case

AS_OF = OPENED_AT + timedelta(days=300)
SCHOOL, GGZ, JGZ, OWN = "school-de-linde", "ggz-flevoland", "jgz-flevoland", "cjg-den-haag"
GOALS = [
    Goal("g1", "mother", "opvoeding", "rust en regelmaat"),
    Goal("g2", "child", "school", "gaat elke dag naar school"),
]
AT_SCHOOL = Agreement("a1", SCHOOL, "dagelijks contact over verzuim", date(2026, 4, 1))
AT_GGZ = Agreement("a2", GGZ, "behandeling moeder", date(2026, 6, 1))


@dataclass
class Recorded:
    """A case's events as a store would number them: notification ids, not versions."""

    events: list[CaseEvent]

    @property
    def positions(self) -> list[int]:
        return [1000 + 7 * i for i in range(len(self.events))]

    def of(self, kind: type[CaseEvent]) -> list[int]:
        """Positions of the events of exactly this kind."""
        return [p for p, e in zip(self.positions, self.events, strict=True) if type(e) is kind]

    def inspect(self, as_of: datetime = AS_OF) -> dict[str, IndicatorResult]:
        return {r.code: r for r in inspect(self.events, as_of, self.positions)}


def collected(case: Case, into: list[CaseEvent]) -> None:
    """Collect the events of the last batch of commands, as saving them would."""
    into.extend(e for e in case.collect_events() if isinstance(e, CaseEvent))


def cited(result: IndicatorResult, kind: type[CaseEvent]) -> list[int]:
    return [e.position for e in result.evidence if e.topic == kind.TOPIC]


def day(days: float) -> date:
    return (OPENED_AT + timedelta(days=days)).date()


def lelystad() -> Recorded:
    """A family like those STJ examined in Lelystad: two months on a waitlist, a GGZ plan of
    its own beside the gezinsplan, no goal for the father, evaluation with the family only,
    the mother 142 days waiting for care, a change of coach, after-care at closure."""
    events: list[CaseEvent] = []
    case = open_case()
    consent_to_waitlist(case, day=1)
    case.place_on_waitlist(at(2), priority=2)
    case.hold_conversation(
        at(3),
        conversation_id="c1",
        kind=ConversationKind.CLARIFICATION,
        minutes=Decimal(60),
        writing_minutes=Decimal(15),
        participants=["mother", "coordinator-1"],
    )
    collected(case, events)
    case.assign_coach(at(60, COACH), coach="coach-anna", organisation=OWN)
    case.report_separate_plan(at(61, COACH), organisation=GGZ, description="eigen behandelplan")
    case.hold_round_table(
        at(62, COACH), members=["mother", "child"], organisations=[SCHOOL, GGZ], decisions="plan"
    )
    case.adopt_plan(at(63, COACH), goals=GOALS, agreements=[AT_SCHOOL], next_evaluation=day(120))
    case.request_referral(
        at(64, COACH),
        referral_id="r1",
        member_id="mother",
        destination=ReferralDestination.SPECIALISED_GGZ,
        organisation=GGZ,
    )
    case.accept_referral(at(70), referral_id="r1")
    collected(case, events)
    case.evaluate_plan(
        at(120, COACH),
        members=["mother", "child"],
        organisations=[OWN],
        conclusions="gaat beter",
        next_evaluation=day(200),
    )
    case.change_coach(at(150), coach="coach-bob", organisation=OWN, reason="vertrek")
    case.start_care(at(206), referral_id="r1")
    case.close(
        at(250),
        reason=ClosureReason.GOALS_REACHED,
        relapse_risk=RelapseRisk.LOW,
        aftercare_by=JGZ,
        informed_organisations=[SCHOOL, GGZ],
        periods=CasePeriods(),
    )
    collected(case, events)
    return Recorded(events)


def test_separate_plans_per_organisation_are_a_verbeterpunt_for_one_plan() -> None:
    case = lelystad()
    a3 = case.inspect()["A3"]
    assert a3.verdict is Verdict.IMPROVE
    assert GGZ in a3.explanation
    assert cited(a3, SeparatePlanReported) == case.of(SeparatePlanReported)
    assert cited(a3, PlanAdopted) == case.of(PlanAdopted)


def test_a_separate_plan_taken_up_by_a_later_plan_version_leaves_one_plan() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.assign_coach(at(1, COACH), coach="coach-anna", organisation=OWN)
    case.report_separate_plan(at(2, COACH), organisation=GGZ, description="eigen behandelplan")
    case.adopt_plan(at(3, COACH), goals=GOALS, agreements=[AT_SCHOOL], next_evaluation=None)
    case.revise_plan(
        at(4, COACH), goals=GOALS, agreements=[AT_SCHOOL, AT_GGZ], next_evaluation=None
    )
    collected(case, events)
    recorded = Recorded(events)
    a3 = recorded.inspect()["A3"]
    assert a3.verdict is Verdict.MEETS
    assert "version 2" in a3.explanation
    assert cited(a3, PlanRevised) == recorded.of(PlanRevised)
    assert cited(a3, SeparatePlanReported) == recorded.of(SeparatePlanReported)


def test_an_evaluation_with_the_family_only_is_a_verbeterpunt_for_joint_evaluation() -> None:
    case = lelystad()
    results = case.inspect()
    a5 = results["A5"]
    assert a5.verdict is Verdict.IMPROVE
    assert a5.explanation.endswith("(1 with the family only)")
    assert cited(a5, PlanEvaluated) == case.of(PlanEvaluated)
    assert results["G4"].verdict is Verdict.MEETS  # the family itself did take part


def test_an_evaluation_with_the_family_and_another_organisation_is_joint() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.assign_coach(at(1, COACH), coach="coach-anna", organisation=OWN)
    case.adopt_plan(at(2, COACH), goals=GOALS, agreements=[AT_SCHOOL], next_evaluation=day(30))
    case.evaluate_plan(
        at(30, COACH),
        members=["mother", "father"],
        organisations=[OWN, SCHOOL],
        conclusions="",
        next_evaluation=None,
    )
    collected(case, events)
    recorded = Recorded(events)
    a5 = recorded.inspect()["A5"]
    assert a5.verdict is Verdict.MEETS
    assert a5.explanation.endswith(f"with mother, father and {SCHOOL}")
    assert cited(a5, PlanEvaluated) == recorded.of(PlanEvaluated)


def test_no_evaluation_by_the_plans_evaluation_date_is_a_verbeterpunt_only_after_it() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.adopt_plan(at(2), goals=GOALS, agreements=[AT_SCHOOL], next_evaluation=day(60))
    collected(case, events)
    recorded = Recorded(events)
    assert recorded.inspect(OPENED_AT + timedelta(days=50))["A5"].verdict is Verdict.NOT_ASSESSABLE
    overdue = recorded.inspect(OPENED_AT + timedelta(days=61))["A5"]
    assert overdue.verdict is Verdict.IMPROVE
    assert cited(overdue, PlanAdopted) == recorded.of(PlanAdopted)


def test_a_family_member_without_goals_is_a_verbeterpunt_for_goals_for_all_members() -> None:
    case = lelystad()
    a4 = case.inspect()["A4"]
    assert a4.verdict is Verdict.IMPROVE
    assert a4.explanation == "no goal for father in plan version 1 (2 of 3 members)"
    assert cited(a4, CaseOpened) == case.of(CaseOpened)
    assert cited(a4, PlanAdopted) == case.of(PlanAdopted)


def test_a_long_wait_on_the_waitlist_and_for_care_gives_the_waiting_days() -> None:
    case = lelystad()
    c4 = case.inspect()["C4"]
    assert c4.verdict is Verdict.IMPROVE
    assert f"r1 (mother → {GGZ}) waited 142 days from request to care start" in c4.explanation
    assert "58 days on the waitlist until coach_assigned" in c4.explanation
    assert cited(c4, ReferralRequested) == case.of(ReferralRequested)
    assert cited(c4, ReferralCareStarted) == case.of(ReferralCareStarted)
    assert cited(c4, WaitlistPlaced) == case.of(WaitlistPlaced)
    assert cited(c4, WaitlistLeft) == case.of(WaitlistLeft)


def test_a_wait_still_running_is_counted_up_to_as_of() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.request_referral(
        at(4),
        referral_id="r1",
        member_id="child",
        destination=ReferralDestination.JGZ,
        organisation=JGZ,
    )
    collected(case, events)
    recorded = Recorded(events)
    early = recorded.inspect(OPENED_AT + timedelta(days=20))["C4"]
    assert early.verdict is Verdict.MEETS
    assert "waiting 16 days since the request" in early.explanation
    late = recorded.inspect(OPENED_AT + timedelta(days=40))["C4"]
    assert late.verdict is Verdict.IMPROVE
    assert "waiting 36 days since the request" in late.explanation
    assert cited(late, ReferralRequested) == recorded.of(ReferralRequested)


def test_after_care_arranged_at_closure_meets_c5() -> None:
    case = lelystad()
    c5 = case.inspect()["C5"]
    assert c5.verdict is Verdict.MEETS
    assert f"after-care by {JGZ}" in c5.explanation
    assert [e.position for e in c5.evidence] == case.of(CaseClosed)
    assert case.inspect()["C1"].verdict is Verdict.MEETS  # closed with goals reached


def test_two_coaches_in_sequence_show_the_change_of_regisseur() -> None:
    case = lelystad()
    results = case.inspect()
    s2 = results["S2"]
    assert s2.verdict is Verdict.IMPROVE
    assert s2.explanation.startswith("2 coaches in sequence: coach-anna → coach-bob")
    assert cited(s2, CoachChanged) == case.of(CoachChanged)
    assert results["S1"].verdict is Verdict.MEETS  # one at a time
    s3 = results["S3"]  # the new regisseur was never made known
    assert s3.verdict is Verdict.IMPROVE
    assert "coach-bob" in s3.explanation and GGZ in s3.explanation
    assert cited(s3, CoachChanged) == case.of(CoachChanged)


def test_the_lelystad_strengths_hold_too() -> None:
    results = lelystad().inspect()
    meets = {code for code, r in results.items() if r.verdict is Verdict.MEETS}
    assert {"T2", "T3", "G1", "G2", "G4", "A1", "A2", "A7", "S1", "S5", "C1", "C5"} <= meets
    assert results["C3"].verdict is Verdict.MEETS
    assert results["C3"].explanation == "care started for 1 of 1 referrals"


def test_the_case_is_judged_as_recorded_at_as_of() -> None:
    results = lelystad().inspect(OPENED_AT + timedelta(days=100))
    assert results["S2"].verdict is Verdict.MEETS
    assert results["C5"].verdict is Verdict.NOT_ASSESSABLE
    assert "waiting 36 days since the request" in results["C4"].explanation


def test_without_positions_the_evidence_is_the_events_version() -> None:
    case = lelystad()
    results = {r.code: r for r in inspect(case.events, AS_OF)}
    versions = [e.originator_version for e in case.events if type(e) is CoachChanged]
    assert cited(results["S2"], CoachChanged) == versions


def test_every_indicator_of_the_framework_appears_exactly_once() -> None:
    results = inspect(lelystad().events, AS_OF)
    codes = [r.code for r in results]
    assert codes == [code for code, _, _ in FRAMEWORK]
    assert len(codes) == len(set(codes)) == 33
    assert Counter(r.theme for r in results) == {
        Theme.TOELEIDING: 3,
        Theme.GEZIN_CENTRAAL: 9,
        Theme.AANPAK: 7,
        Theme.SAMENWERKING: 9,
        Theme.CONTINU: 5,
    }
    unshown = {r.code for r in results if r.explanation.startswith("the history cannot show")}
    assert unshown == {"T1", "G5", "G6", "G7", "G8", "A6", "S4", "S8", "S9", "C2"}
    assert all(r.verdict is Verdict.NOT_ASSESSABLE for r in results if r.code in unshown)
    assert all(r.rule and r.explanation for r in results)


def test_a_history_without_a_melding_cannot_be_judged() -> None:
    results = inspect([], AS_OF)
    assert len(results) == 33
    assert {r.verdict for r in results} == {Verdict.NOT_ASSESSABLE}


def test_positions_must_match_the_events() -> None:
    case = lelystad()
    with pytest.raises(ValueError, match="positions"):
        inspect(case.events, AS_OF, case.positions[:-1])


def test_a_broken_agreement_not_escalated_within_two_weeks_is_a_verbeterpunt() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.adopt_plan(at(2), goals=GOALS, agreements=[AT_SCHOOL, AT_GGZ], next_evaluation=None)
    case.record_broken_agreement(at(10), agreement_id="a2", notes="geen behandeling gestart")
    collected(case, events)
    recorded = Recorded(events)
    assert recorded.inspect(OPENED_AT + timedelta(days=20))["S5"].verdict is Verdict.NOT_ASSESSABLE
    results = recorded.inspect(OPENED_AT + timedelta(days=30))
    assert results["S5"].verdict is Verdict.IMPROVE
    assert cited(results["S5"], AgreementBroken) == recorded.of(AgreementBroken)
    assert results["S7"].verdict is Verdict.IMPROVE
    assert results["S7"].explanation == f"1 of 2 agreements not kept: a2 ({GGZ})"


def test_an_escalated_stagnation_meets_s5() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.adopt_plan(at(2), goals=GOALS, agreements=[AT_GGZ], next_evaluation=None)
    case.record_broken_agreement(at(10), agreement_id="a2", notes="")
    case.escalate(at(12), target=EscalationTarget.STEERING_GROUP, reason="geen behandeling")
    collected(case, events)
    recorded = Recorded(events)
    s5 = recorded.inspect()["S5"]
    assert s5.verdict is Verdict.MEETS
    assert cited(s5, Escalated) == recorded.of(Escalated)


def test_a_family_that_declines_is_let_go_without_escalation() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.close(
        at(30),
        reason=ClosureReason.FAMILY_DECLINED,
        relapse_risk=RelapseRisk.HIGH,
        aftercare_by="",
        informed_organisations=[],
        periods=CasePeriods(),
    )
    collected(case, events)
    recorded = Recorded(events)
    results = recorded.inspect()
    for code in ("A7", "C1", "C5", "T3"):
        assert results[code].verdict is Verdict.IMPROVE, code
        assert cited(results[code], CaseClosed) == recorded.of(CaseClosed) or code == "T3"
    assert "30 days after registration" in results["T3"].explanation


def test_a_rejected_referral_with_no_other_care_is_a_verbeterpunt_for_c3() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.request_referral(
        at(4),
        referral_id="r1",
        member_id="child",
        destination=ReferralDestination.JGZ,
        organisation=JGZ,
    )
    case.reject_referral(at(9), referral_id="r1", reason="geen plek")
    collected(case, events)
    recorded = Recorded(events)
    c3 = recorded.inspect()["C3"]
    assert c3.verdict is Verdict.IMPROVE
    assert cited(c3, ReferralRejected) == recorded.of(ReferralRejected)


def test_a_late_start_of_the_approach_is_a_verbeterpunt_for_t3() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.assign_coach(at(40, COACH), coach="coach-anna", organisation=OWN)
    collected(case, events)
    recorded = Recorded(events)
    assert recorded.inspect(OPENED_AT + timedelta(days=10))["T3"].verdict is Verdict.NOT_ASSESSABLE
    t3 = recorded.inspect()["T3"]
    assert t3.verdict is Verdict.IMPROVE
    assert "40 days after registration" in t3.explanation
    assert cited(t3, CoachAssigned) == recorded.of(CoachAssigned)


def test_every_moment_of_the_history_can_be_inspected_and_cites_only_what_was_known() -> None:
    case = lelystad()
    for days in range(0, 301, 3):
        as_of = OPENED_AT + timedelta(days=days)
        results = case.inspect(as_of)
        pairs = zip(case.positions, case.events, strict=True)
        known = {position for position, event in pairs if event.timestamp <= as_of}
        assert len(results) == 33
        assert {e.position for r in results.values() for e in r.evidence} <= known


def test_coordination_without_a_regisseur_is_a_verbeterpunt_for_one_regisseur() -> None:
    events: list[CaseEvent] = []
    case = open_case()
    case.assign_coach(at(1, COACH), coach="coach-anna", organisation=OWN)
    case.make_regisseur_known(at(2, COACH), organisations=[SCHOOL])
    case.hold_round_table(at(3, COACH), members=["mother"], organisations=[SCHOOL], decisions="")
    case.end_coaching(at(20, COACH), reason="ziekte")
    case.hold_round_table(at(30), members=["mother"], organisations=[SCHOOL], decisions="")
    collected(case, events)
    recorded = Recorded(events)
    before_the_gap = recorded.inspect(OPENED_AT + timedelta(days=10))
    assert before_the_gap["S1"].verdict is Verdict.MEETS
    assert before_the_gap["S3"].verdict is Verdict.MEETS
    assert cited(before_the_gap["S3"], RegisseurMadeKnown) == recorded.of(RegisseurMadeKnown)
    s1 = recorded.inspect()["S1"]
    assert s1.verdict is Verdict.IMPROVE
    assert cited(s1, RoundTableHeld) == recorded.of(RoundTableHeld)[1:]
