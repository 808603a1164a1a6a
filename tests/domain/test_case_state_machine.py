"""Property-based: random command sequences, valid and invalid, against a real store.

- replaying the stored events reproduces the live state, after every step;
- a rejected command stores nothing and changes nothing;
- a command runs on a private copy of the case, as the application runs it on a case it
  holds in memory, and the case it was copied from is left exactly as it was;
- the 90-day rules (inactivity closure, reopen window) hold for random dates."""

from __future__ import annotations

import pickle
import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from application.case_cache import private_copy
from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import load_settings
from domain.case import Case
from domain.commands import COMMON_RULES
from domain.errors import DomainError, InvalidInputError, NotInCaseError
from domain.events_erasure import PersonalDataErased
from domain.periods import CasePeriods
from domain.provenance import Provenance
from domain.vocabulary import (
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    ErasureRefusalGround,
    ErasureScope,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
)
from tests.command_names import BY_NAME
from tests.factories import COACH, OPENED_AT, melding

PERIODS = CasePeriods()
MEMBERS = ["mother", "father", "child", "stranger"]
COACHES = ["coach-anna", "coach-bob"]
REFERRALS = ["r1", "r2"]
day_steps = st.one_of(
    st.floats(0, 6), st.floats(0, 6), st.floats(0, 130)
)  # mostly days, at times months
lateness = st.sampled_from([0.0, 0.0, 2.0, -1.0])  # -1: the fact lies in the future


def may_refuse(method: str) -> tuple[type[DomainError], ...]:
    """What the command's documentation (its `rules`, and invalid input or an unknown
    referral, consent or request) says may refuse it."""
    command = BY_NAME[{"close": "close_case", "reopen": "reopen_case"}.get(method, method)]
    return (*command.rules, *COMMON_RULES, InvalidInputError, NotInCaseError)


def state_of(case: Case) -> dict[str, Any]:
    return {name: value for name, value in vars(case).items() if name != "_pending_events"}


class CaseHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.data_dir = tempfile.TemporaryDirectory()
        self.clock = FixedClock(OPENED_AT)
        settings = load_settings(data_dir=Path(self.data_dir.name))
        self.app = CaseApplication(settings, self.clock)
        self.case_id: UUID = uuid4()
        self.day = 0.0
        self.counter = 0
        self.live = Case.open(case_id=self.case_id, by=self.by(0.0, 0.0), **melding())
        self.app.save(self.live)

    def teardown(self) -> None:
        self.app.close()
        self.data_dir.cleanup()

    def by(self, step: float, late: float) -> Provenance:
        self.day += step
        occurred = OPENED_AT + timedelta(days=self.day)
        recorded = occurred + timedelta(days=late)
        self.clock.at = max(self.clock.at, recorded)
        return Provenance(COACH, occurred, recorded)

    def attempt(self, command: str, step: float, late: float, **details: object) -> bool:
        """Run one command on a private copy of the live case and save it; True if
        accepted. The case it was copied from does not change, down to its last byte."""
        held = self.live
        held_state = pickle.dumps(state_of(held))
        self.live = private_copy(held)
        before = state_of(self.live)
        try:
            getattr(self.live, command)(self.by(step, late), **details)
        except DomainError as error:
            assert isinstance(error, may_refuse(command)), f"{command}: undeclared {error!r}"
            assert self.live.pending_events == []
            assert state_of(self.live) == before
            event(f"rejected {command}")
            return False
        finally:
            assert pickle.dumps(state_of(held)) == held_state
            assert held.pending_events == []
        event(f"accepted {command}")
        erasures = [e for e in self.live.pending_events if isinstance(e, PersonalDataErased)]
        self.app.save(self.live)
        if erasures:  # as the application does once it saved; what it held is read again
            self.app.complete_erasures(self.live)
            self.live = self.app.repository.get(self.case_id)
            assert self.live.is_erased or self.live.erased_members
        return True

    def unique(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    @rule(step=day_steps, late=lateness, level=st.integers(-1, 6))
    def triage(self, step: float, late: float, level: int) -> None:
        outcome = TriageOutcome.COMPLEX
        self.attempt("triage", step, late, outcome=outcome, coordination_level=level)

    @rule(step=day_steps, late=lateness, minutes=st.decimals(-5, 300, places=1))
    def conversation(self, step: float, late: float, minutes: Decimal) -> None:
        self.attempt(
            "hold_conversation",
            step,
            late,
            conversation_id=self.unique("c"),
            kind=ConversationKind.HELP,
            minutes=minutes,
            writing_minutes=Decimal(5),
            participants=["mother"],
        )

    @rule(step=day_steps, late=lateness)
    def answer_help_question(self, step: float, late: float) -> None:
        self.attempt("answer_help_question", step, late)

    @rule(step=day_steps, givers=st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=3))
    def consent_to_waitlist(self, step: float, givers: list[str]) -> None:
        self.attempt(
            "grant_consent",
            step,
            0.0,
            consent_id=self.unique("k"),
            given_by=givers,
            about=["child"],
            organisation="cjg-den-haag",
            categories=[DataCategory.IDENTITY],
            purpose=ConsentPurpose.WAITLIST,
            form=ConsentForm.ORAL,
        )

    @rule(step=day_steps, late=lateness, priority=st.integers(0, 6))
    def place_on_waitlist(self, step: float, late: float, priority: int) -> None:
        self.attempt("place_on_waitlist", step, late, priority=priority)

    @rule(step=day_steps, late=lateness)
    def contact_waiting_family(self, step: float, late: float) -> None:
        self.attempt("contact_waiting_family", step, late)

    @rule(step=day_steps, late=lateness, coach=st.sampled_from(COACHES))
    def assign_coach(self, step: float, late: float, coach: str) -> None:
        self.attempt("assign_coach", step, late, coach=coach, organisation="cjg-den-haag")

    @rule(step=day_steps, coach=st.sampled_from(COACHES))
    def change_coach(self, step: float, coach: str) -> None:
        self.attempt("change_coach", step, 0.0, coach=coach, organisation="cjg", reason="verlof")

    @rule(step=day_steps)
    def end_coaching(self, step: float) -> None:
        self.attempt("end_coaching", step, 0.0, reason="klaar")

    @rule(step=day_steps, referral=st.sampled_from(REFERRALS), member=st.sampled_from(MEMBERS))
    def request_referral(self, step: float, referral: str, member: str) -> None:
        self.attempt(
            "request_referral",
            step,
            0.0,
            referral_id=referral,
            member_id=member,
            destination=ReferralDestination.JEUGDTEAM,
            organisation="jeugdteam",
        )

    @rule(
        step=day_steps,
        referral=st.sampled_from(REFERRALS),
        move=st.sampled_from(["accept_referral", "start_care", "end_care", "reject_referral"]),
    )
    def move_referral(self, step: float, referral: str, move: str) -> None:
        reason = {"reason": "reden"} if move in {"end_care", "reject_referral"} else {}
        self.attempt(move, step, 0.0, referral_id=referral, **reason)

    @rule(step=day_steps, reason=st.sampled_from(list(ClosureReason)))
    def close(self, step: float, reason: ClosureReason) -> None:
        due = self.live.is_due_for_closure(PERIODS, OPENED_AT + timedelta(days=self.day + step))
        was_closed, was_active = self.live.is_closed, self.live.has_active_help
        quiet_since = self.live.last_activity_at
        accepted = self.attempt(
            "close",
            step,
            0.0,
            reason=reason,
            relapse_risk=RelapseRisk.LOW,
            aftercare_by="jgz",
            informed_organisations=[],
            periods=PERIODS,
        )
        if reason is ClosureReason.INACTIVE and accepted:
            assert not was_active
            assert self.occurred() - quiet_since >= timedelta(days=PERIODS.inactivity_days)
        if reason is ClosureReason.INACTIVE and not was_closed:
            assert accepted == due

    @rule(
        step=day_steps, coach=st.sampled_from(COACHES), question=st.sampled_from(["hq-1", "hq-2"])
    )
    def reopen(self, step: float, coach: str, question: str) -> None:
        closed_at, closed_by = self.live.closed_at, self.live.closed_by_coach
        accepted = self.attempt(
            "reopen", step, 0.0, coach=coach, help_question_id=question, periods=PERIODS
        )
        if accepted:
            assert closed_at is not None
            assert self.occurred() - closed_at <= timedelta(days=PERIODS.reopen_window_days)
            assert coach == closed_by and question == "hq-1"

    @rule(
        step=day_steps,
        requester=st.sampled_from(MEMBERS),
        member=st.none() | st.sampled_from(MEMBERS),
    )
    def request_erasure(self, step: float, requester: str, member: str | None) -> None:
        scope = ErasureScope.MEMBER if member else ErasureScope.DOSSIER
        accepted = self.attempt(
            "request_erasure",
            step,
            0.0,
            request_id=self.unique("erasure"),
            requested_by=requester,
            scope=scope,
            member_id=member,
        )
        if accepted:  # a parent with gezag, the member themselves, or the child from 12
            child_age = self.live.members["child"].age_on(self.occurred().date())
            assert (
                requester in ("mother", "father")
                or member == requester
                or (requester == "child" and (child_age or 0) >= 12)
            )

    @rule(step=day_steps, granted=st.booleans(), data=st.data())
    def assess_erasure(self, step: float, granted: bool, data: st.DataObject) -> None:
        requests = sorted(self.live.erasure_requests) or ["erasure-none"]
        request_id = data.draw(st.sampled_from(requests))
        refusal = {
            "refusal_ground": ErasureRefusalGround.SIGNIFICANT_INTEREST_OF_ANOTHER,
            "justification": "belang van de broer",
        }
        self.attempt(
            "assess_erasure", step, 0.0, request_id=request_id, **({} if granted else refusal)
        )

    @rule(step=day_steps, data=st.data())
    def execute_erasure(self, step: float, data: st.DataObject) -> None:
        requests = sorted(self.live.erasure_requests) or ["erasure-none"]
        request_id = data.draw(st.sampled_from(requests))
        held = self.live.legal_hold is not None
        if self.attempt("execute_erasure", step, 0.0, request_id=request_id):
            assert not held

    @rule(step=day_steps, place=st.booleans())
    def legal_hold(self, step: float, place: bool) -> None:
        command = "place_legal_hold" if place else "lift_legal_hold"
        self.attempt(command, step, 0.0, reason="procedure bij de rechtbank")

    def occurred(self) -> datetime:
        return OPENED_AT + timedelta(days=self.day)

    @invariant()
    def replaying_the_stored_events_reproduces_the_live_state(self) -> None:
        stored = list(self.app.events.get(self.case_id))
        replayed = None
        for stored_event in stored:
            replayed = stored_event.mutate(replayed)
        assert replayed == self.live
        assert [e.originator_version for e in stored] == list(range(1, len(stored) + 1))


TestCaseHistory = CaseHistory.TestCase
