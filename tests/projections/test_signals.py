"""Each stall signal appears when its condition holds and disappears when it is resolved,
driven by real events: application commands -> OverviewProjection (SQLite) -> signals as
of a chosen moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from application.cases import CaseApplication
from domain.periods import CasePeriods
from domain.vocabulary import ReferralDestination, TriageOutcome
from projections import queries
from projections.registry import OpenView
from projections.signals import SignalSettings, signals_for
from projections.view import RowFilter
from tests.projections.support import Family, agreement, catch_up, on

pytestmark = pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)

Views = dict[str, OpenView]
PERIODS = CasePeriods()  # 90 days of inactivity before closure


class Signals:
    """The signals of one case as of a moment, after catching the views up."""

    def __init__(self, app: CaseApplication, views: Views, family: Family) -> None:
        self.app, self.views, self.family = app, views, family

    def doc(self) -> dict[str, Any]:
        catch_up(self.app, self.views)
        row = self.views["overview"].view.get_rows([self.family.id])[self.family.id]
        return row.doc

    def codes(self, as_of: datetime) -> list[str]:
        return [s.code for s in signals_for(self.doc(), as_of, PERIODS, SignalSettings())]

    def messages(self, as_of: datetime, code: str) -> list[str]:
        found = signals_for(self.doc(), as_of, PERIODS, SignalSettings())
        return [s.message for s in found if s.code == code]


@pytest.fixture
def family(app: CaseApplication) -> Family:
    return Family.open(app)


@pytest.fixture
def signals(app: CaseApplication, views: Views, family: Family) -> Signals:
    return Signals(app, views, family)


def test_no_coach_while_a_complex_case_has_none_until_one_is_assigned(
    family: Family, signals: Signals
) -> None:
    assert "no_coach" not in signals.codes(on(1))
    family.triage(1, TriageOutcome.COMPLEX)
    assert "no_coach" in signals.codes(on(2))
    family.assign(3)
    assert "no_coach" not in signals.codes(on(4))
    family.do("end_coaching", 5, reason="coach vertrokken")
    assert "no_coach" in signals.codes(on(6))


def test_no_coach_while_the_family_waits_for_one(family: Family, signals: Signals) -> None:
    family.triage(1, TriageOutcome.SINGLE)
    family.consent(1)
    assert "no_coach" not in signals.codes(on(2))
    family.place(2, priority=1)
    assert signals.messages(on(3), "no_coach") == ["the family needs a coach and has none"]
    family.assign(4)  # leaves the waitlist for the coach
    assert "no_coach" not in signals.codes(on(5))


def test_no_plan_more_than_six_weeks_after_the_coach_started_until_one_is_adopted(
    family: Family, signals: Signals
) -> None:
    family.assign(1)
    assert "no_plan" not in signals.codes(on(43))  # 42 days: still within the six weeks
    assert signals.messages(on(44), "no_plan") == ["no gezinsplan 43 days after the coach started"]
    family.adopt(50)
    assert "no_plan" not in signals.codes(on(51))


def test_evaluation_overdue_after_its_date_until_an_evaluation_is_held(
    family: Family, signals: Signals
) -> None:
    due = on(30).date()
    family.assign(1)
    family.adopt(2, next_evaluation=due)
    assert "evaluation_overdue" not in signals.codes(on(30))  # due today: not overdue
    assert signals.messages(on(31), "evaluation_overdue") == [f"evaluation due {due}"]
    family.evaluate(32, next_evaluation=on(60).date())
    assert "evaluation_overdue" not in signals.codes(on(33))
    assert "evaluation_overdue" in signals.codes(on(61))  # the next one, in its turn
    family.evaluate(62, next_evaluation=None)
    assert "evaluation_overdue" not in signals.codes(on(100))


def test_referral_waiting_more_than_four_weeks_until_care_starts(
    family: Family, signals: Signals
) -> None:
    family.refer(2, "r1")
    assert "referral_waiting" not in signals.codes(on(30))  # 28 days
    assert signals.messages(on(31), "referral_waiting") == [
        "referral r1 to ggz-haaglanden waiting 29 days"
    ]
    family.accept(31, "r1")
    assert "referral_waiting" in signals.codes(on(32))  # accepted still waits
    family.start(33, "r1")
    assert "referral_waiting" not in signals.codes(on(34))


def test_referral_waiting_ends_when_the_provider_rejects(family: Family, signals: Signals) -> None:
    family.refer(2, "r1")
    assert "referral_waiting" in signals.codes(on(40))
    family.reject(41, "r1")
    assert "referral_waiting" not in signals.codes(on(42))


def test_handover_gap_when_care_ends_without_a_successor_until_one_is_requested(
    family: Family, signals: Signals
) -> None:
    family.refer(1, "r1")
    family.accept(2, "r1")
    family.start(3, "r1")
    assert "handover_gap" not in signals.codes(on(4))  # care runs
    family.end(10, "r1")
    assert signals.messages(on(11), "handover_gap") == [
        "care at ggz-haaglanden ended with no successor arranged"
    ]
    family.refer(12, "r2", "jeugdteam-centrum", ReferralDestination.JEUGDTEAM)
    assert "handover_gap" not in signals.codes(on(13))
    family.reject(14, "r2")  # the successor fell through: the gap is back
    assert "handover_gap" in signals.codes(on(15))


def test_agreement_broken_until_the_plan_is_revised_or_evaluated(
    family: Family, signals: Signals
) -> None:
    family.assign(1)
    family.adopt(2, agreements=[agreement("a1", "school-de-linde")])
    assert "agreement_broken" not in signals.codes(on(3))
    family.do("record_broken_agreement", 4, agreement_id="a1", notes="niet gebeld")
    assert signals.messages(on(5), "agreement_broken") == ["agreement a1 was not kept"]
    family.adopt(6, agreements=[agreement("a1", "school-de-linde")], revise=True)
    assert "agreement_broken" not in signals.codes(on(7))
    family.do("record_broken_agreement", 8, agreement_id="a1", notes="weer niet")
    assert "agreement_broken" in signals.codes(on(9))
    family.evaluate(10)
    assert "agreement_broken" not in signals.codes(on(11))


def test_more_than_one_plan_until_a_plan_version_takes_the_organisation_up(
    family: Family, signals: Signals
) -> None:
    family.assign(1)
    family.do("report_separate_plan", 2, organisation="ggz-haaglanden", description="eigen plan")
    assert signals.messages(on(3), "more_than_one_plan") == [
        "organisations with a plan of their own: ggz-haaglanden"
    ]
    family.adopt(4, agreements=[agreement("a1", "school-de-linde")])
    assert "more_than_one_plan" in signals.codes(on(5))  # the plan leaves ggz out
    family.adopt(
        6,
        agreements=[agreement("a1", "school-de-linde"), agreement("a2", "ggz-haaglanden")],
        revise=True,
    )
    assert "more_than_one_plan" not in signals.codes(on(7))


def test_closure_due_within_two_weeks_of_the_inactivity_date_until_new_activity(
    family: Family, signals: Signals
) -> None:
    family.do("answer_help_question", 10)  # nothing active from day 10: due on day 100
    assert "closure_due" not in signals.codes(on(85))  # 15 days before due
    assert signals.messages(on(86), "closure_due") == [
        f"due for closure as inactive on {on(100).date()}"
    ]
    family.do("register_time", 86, minutes=30, writing_minutes=0)
    assert "closure_due" not in signals.codes(on(87))  # due on day 176 now
    assert "closure_due" in signals.codes(on(162))


def test_closure_due_never_while_help_is_active(family: Family, signals: Signals) -> None:
    family.do("answer_help_question", 1)
    family.refer(2, "r1")
    assert "closure_due" not in signals.codes(on(140))
    family.reject(3, "r1")
    assert "closure_due" in signals.codes(on(140))


def test_regisseur_unknown_to_an_involved_organisation_until_it_is_made_known(
    family: Family, signals: Signals
) -> None:
    family.assign(1)
    assert "regisseur_unknown" not in signals.codes(on(2))  # the reporter alone is not involved
    family.refer(2, "r1")
    family.refer(3, "r2", "jeugdteam-centrum", ReferralDestination.JEUGDTEAM)
    assert signals.messages(on(4), "regisseur_unknown") == [
        "not told who the regisseur is: ggz-haaglanden, jeugdteam-centrum"
    ]
    family.do("make_regisseur_known", 5, organisations=["ggz-haaglanden"])
    assert signals.messages(on(6), "regisseur_unknown") == [
        "not told who the regisseur is: jeugdteam-centrum"
    ]
    family.do(
        "hold_round_table",
        7,
        members=["mother"],
        organisations=["jeugdteam-centrum"],
        decisions="afspraken",
    )
    assert "regisseur_unknown" not in signals.codes(on(8))
    family.do("change_coach", 9, coach="coach-bob", organisation="cjg-den-haag", reason="verlof")
    assert "regisseur_unknown" in signals.codes(on(10))  # a new regisseur: tell them again


def test_a_closed_case_has_no_signals_and_is_not_in_the_overview(
    app: CaseApplication, views: Views, family: Family, signals: Signals
) -> None:
    family.triage(1, TriageOutcome.COMPLEX)
    family.refer(2, "r1")
    assert set(signals.codes(on(60))) == {"no_coach", "referral_waiting"}
    family.close(61)
    assert signals.codes(on(62)) == []
    listed = queries.overview(
        views["overview"].view, on(62), lambda _: PERIODS, SignalSettings(), RowFilter()
    )
    assert listed == []


def test_the_overview_query_reports_each_case_with_its_own_signals(
    app: CaseApplication, views: Views, family: Family
) -> None:
    family.triage(1, TriageOutcome.COMPLEX)
    calm = Family.open(app)
    calm.assign(1)
    calm.adopt(2, next_evaluation=date(2026, 12, 1))
    catch_up(app, views)

    listed = queries.overview(
        views["overview"].view,
        on(5),
        lambda _: PERIODS,
        SignalSettings(),
        RowFilter(municipality="den-haag"),
    )

    by_case = {case["case_id"]: [s["code"] for s in case["signals"]] for case in listed}
    assert by_case == {family.id: ["no_coach"], calm.id: []}


def test_signal_thresholds_come_from_the_settings(family: Family, signals: Signals) -> None:
    family.assign(1)
    family.refer(1, "r1")
    doc = signals.doc()
    strict = SignalSettings(plan_due_days=7, referral_wait_days=7, closure_warning_days=0)

    codes = [s.code for s in signals_for(doc, on(1) + timedelta(days=8), PERIODS, strict)]

    assert codes == ["no_plan", "referral_waiting", "regisseur_unknown"]
