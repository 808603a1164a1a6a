"""Signals that something stalls, computed from an overview row as of a moment: the
failures the Lelystad inspection found, made visible while the case runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.periods import CasePeriods


@dataclass(frozen=True)
class SignalSettings:
    plan_due_days: int = 42  # a plan within 6 weeks after the coach starts (000)
    referral_wait_days: int = 28
    closure_warning_days: int = 14
    erasure_warning_days: int = 21


@dataclass(frozen=True)
class Signal:
    code: str
    message: str


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _days(since: str, as_of: datetime) -> int:
    return (as_of - _at(since)).days


def signals_for(
    doc: dict[str, Any], as_of: datetime, periods: CasePeriods, settings: SignalSettings
) -> list[Signal]:
    """Every signal that holds for this case at `as_of`; for a closed case only that an
    erasure request nears its deadline (families ask mostly after care)."""
    found = _erasure_due(doc, as_of, settings)
    if doc["status"] != "open":
        return found
    checks = (
        _no_coach,
        _no_plan,
        _evaluation_overdue,
        _referrals_waiting,
        _handover_gap,
        _agreement_broken,
        _more_than_one_plan,
        _closure_near,
        _regisseur_unknown,
    )
    for check in checks:
        found.extend(check(doc, as_of, periods, settings))
    return found


def _erasure_due(doc: dict[str, Any], as_of: datetime, s: SignalSettings) -> list[Signal]:
    """A request not yet carried out, within the warning days of its 3-month deadline."""
    found = []
    for request_id, request in sorted(doc.get("erasure_requests", {}).items()):
        left = (date.fromisoformat(request["due_on"]) - as_of.date()).days
        if left <= s.erasure_warning_days:
            when = f"overdue by {-left} days" if left < 0 else f"due in {left} days"
            found.append(
                Signal(
                    "erasure_due",
                    f"erasure request {request_id} ({request['status']}) {when},"
                    f" on {request['due_on']}",
                )
            )
    return found


def _no_coach(doc: dict[str, Any], as_of: datetime, *_: Any) -> list[Signal]:
    needs_one = doc["waiting"] or doc["triage_outcome"] == "complex"
    if needs_one and not doc["coach"]:
        return [Signal("no_coach", "the family needs a coach and has none")]
    return []


def _no_plan(
    doc: dict[str, Any], as_of: datetime, _: CasePeriods, s: SignalSettings
) -> list[Signal]:
    if doc["coach"] and doc["plan"] is None and _days(doc["coach_since"], as_of) > s.plan_due_days:
        days = _days(doc["coach_since"], as_of)
        return [Signal("no_plan", f"no gezinsplan {days} days after the coach started")]
    return []


def _evaluation_overdue(doc: dict[str, Any], as_of: datetime, *_: Any) -> list[Signal]:
    plan = doc["plan"]
    if (
        plan
        and plan["next_evaluation"]
        and date.fromisoformat(plan["next_evaluation"]) < as_of.date()
    ):
        return [Signal("evaluation_overdue", f"evaluation due {plan['next_evaluation']}")]
    return []


def _referrals_waiting(
    doc: dict[str, Any], as_of: datetime, _: CasePeriods, s: SignalSettings
) -> list[Signal]:
    return [
        Signal(
            "referral_waiting",
            f"referral {rid} to {r['organisation']} waiting {_days(r['requested_at'], as_of)} days",
        )
        for rid, r in sorted(doc["referrals"].items())
        if r["status"] in ("requested", "accepted")
        and _days(r["requested_at"], as_of) > s.referral_wait_days
    ]


def _handover_gap(doc: dict[str, Any], *_: Any) -> list[Signal]:
    referrals = doc["referrals"].values()
    ended = [r for r in referrals if r["status"] == "care_ended"]
    successors = [r for r in referrals if r["status"] in ("requested", "accepted", "care_started")]
    if ended and not successors:
        last = max(ended, key=lambda r: r["ended_at"])
        return [
            Signal(
                "handover_gap", f"care at {last['organisation']} ended with no successor arranged"
            )
        ]
    return []


def _agreement_broken(doc: dict[str, Any], *_: Any) -> list[Signal]:
    return [
        Signal("agreement_broken", f"agreement {b['agreement_id']} was not kept")
        for b in doc["broken_agreements"]
    ]


def _more_than_one_plan(doc: dict[str, Any], *_: Any) -> list[Signal]:
    if doc["separate_plans"]:
        return [
            Signal(
                "more_than_one_plan",
                "organisations with a plan of their own: " + ", ".join(doc["separate_plans"]),
            )
        ]
    return []


def inactive_since(doc: dict[str, Any]) -> datetime | None:
    """When the case's last activity was, if it has no active help now (a help question
    open, waiting, a coach, a referral under way): the clock of closure as inactive."""
    active = (
        doc["help_question_open"]
        or doc["waiting"]
        or doc["coach"]
        or any(
            r["status"] in ("requested", "accepted", "care_started")
            for r in doc["referrals"].values()
        )
    )
    return None if active else _at(doc["last_activity_at"])


def _closure_near(
    doc: dict[str, Any], as_of: datetime, periods: CasePeriods, s: SignalSettings
) -> list[Signal]:
    since = inactive_since(doc)
    if since is None:
        return []
    due = since + timedelta(days=periods.inactivity_days)
    if due - as_of <= timedelta(days=s.closure_warning_days):
        return [Signal("closure_due", f"due for closure as inactive on {due.date()}")]
    return []


def _regisseur_unknown(doc: dict[str, Any], *_: Any) -> list[Signal]:
    if not doc["coach"]:
        return []
    told = {*doc["regisseur_known_to"], doc["coach_organisation"]}
    involved = {org for org, party in doc["involved"].items() if party["roles"] != ["reporter"]}
    unaware = sorted(involved - told)
    if unaware:
        return [Signal("regisseur_unknown", "not told who the regisseur is: " + ", ".join(unaware))]
    return []
