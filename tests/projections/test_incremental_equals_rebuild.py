"""Property-based, on both stores: random histories of several cases, written by the case
application's own commands (invalid ones are simply rejected), processed incrementally in
random batch sizes with random restarts (the view closed, a fresh one opened, the worker
resuming from the recorded position) and part-way through the writing, give exactly the
rows of one full rebuild, for both projections.

Each example is a whole store (a fresh SQLite directory or PostgreSQL schema) with a few
dozen events, not a cheap in-memory value: the test runs a tenth of the profile's
`max_examples` (30 under HYPOTHESIS_PROFILE=ci, 10 under dev, 50 under thorough); the
profile's other settings apply unchanged."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from domain.case import Case
from domain.errors import DomainError
from domain.plan import Agreement, Goal
from domain.vocabulary import (
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    EscalationTarget,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
    Urgency,
    WaitlistExit,
)
from projections.registry import PROJECTIONS, OpenView, open_view, worker_for
from projections.runner import ProjectionWorker
from tests.command_names import run_named
from tests.conftest import drop_schema
from tests.factories import COORDINATOR, OPENED_AT, melding
from tests.projections.support import UPSTREAM, all_rows, lean

EXAMPLES = max(5, settings().max_examples // 10)  # settings(): the loaded profile's
COACHES = ["coach-anna", "coach-bob"]
ORGANISATIONS = ["cjg-den-haag", "ggz-haaglanden", "school-de-linde", "jeugdteam-centrum"]
DESTINATIONS = [ReferralDestination.SPECIALISED_GGZ, ReferralDestination.JEUGDTEAM]
PLACES = [
    ("den-haag", "team-centrum", Urgency.NORMAL),
    ("den-haag", "team-noord", Urgency.URGENT),
    ("zoetermeer", "team-zuid", Urgency.CRISIS),
]


PLAUSIBLE = "a plausible one"


@dataclass(frozen=True)
class Step:
    """One command on one case: `days` later, recorded `late` days after it happened;
    `choice` picks the command's details (some choices are invalid on purpose). The command
    is any command, or (PLAUSIBLE) one of those that suit the case's phase, picked by `which`,
    so that histories get past the first phases."""

    case: int
    command: str
    days: float
    late: float
    choice: int
    which: int


def plausible(case: Case) -> list[str]:
    """Commands that fit the case's phase (most of them then apply)."""
    if case.is_closed:
        return ["reopen_case"]
    options = ["hold_conversation", "request_referral", "escalate", "triage"]
    if case.coaching_active:
        options += ["make_regisseur_known", "hold_round_table", "change_coach", "end_coaching"]
        options += ["revise_plan", "evaluate_plan", "record_broken_agreement"] if case.plan else []
        options += ["report_separate_plan", "answer_help_question"] if case.plan else ["adopt_plan"]
    elif case.is_waiting:
        options += ["contact_waiting_family", "assign_coach", "leave_waitlist", "withdraw_consent"]
    elif any(c.purpose.value == "waitlist" for c in case.consents_in_force()):
        options += ["place_on_waitlist", "assign_coach"]
    else:
        options += ["grant_consent", "assign_coach"]
    for referral in case.referrals.values():
        options += {
            "requested": ["accept_referral", "accept_referral", "reject_referral"],
            "accepted": ["start_care"],
            "care_started": ["end_care", "extend_referral"],
        }.get(referral.status.value, [])
    if not case.has_active_help:
        options += ["close_case"]
    return options


def pick(ids: list[str], choice: int, fresh: str) -> str:
    """One of the ids the case knows (so the command can apply), or at times a fresh one."""
    return sorted(ids)[choice % len(ids)] if ids and choice != 6 else fresh


def details(command: str, choice: int, step_no: int, case: Case, today: date) -> dict[str, Any]:
    """The keywords of an application command, varied by `choice` (0-6); ids are mostly
    taken from the case's current state, so that many commands apply, and some do not."""
    organisation = ORGANISATIONS[choice % len(ORGANISATIONS)]
    referral_id = pick(list(case.referrals), choice, f"r{step_no}")
    member = ["child", "mother", "father", "child", "mother", "father", "stranger"][choice]
    match command:
        case "triage":
            outcome = list(TriageOutcome)[choice % 3]
            return {"outcome": outcome, "coordination_level": choice}  # 6 is invalid
        case "grant_consent":
            return {
                "consent_id": f"k{step_no}",
                "given_by": ["child"] if choice == 6 else ["mother", "father"],
                "about": ["child"],
                "organisation": "cjg-den-haag",
                "categories": [DataCategory.IDENTITY],
                "purpose": ConsentPurpose.WAITLIST if choice < 5 else ConsentPurpose.REFERRAL,
                "form": ConsentForm.ORAL,
            }
        case "withdraw_consent":
            in_force = [c.consent_id for c in case.consents_in_force()]
            return {"consent_id": pick(in_force, choice, "k-unknown"), "withdrawn_by": ["mother"]}
        case "place_on_waitlist":
            return {"priority": choice}  # 0 and 6 are invalid
        case "leave_waitlist":
            return {"exit": [WaitlistExit.WITHDRAWN, WaitlistExit.NO_LONGER_NEEDED][choice % 2]}
        case "assign_coach":
            return {"coach": COACHES[choice % 2], "organisation": "cjg-den-haag"}
        case "change_coach":
            return {"coach": COACHES[choice % 2], "organisation": organisation, "reason": "verlof"}
        case "end_coaching":
            return {"reason": "klaar"}
        case "make_regisseur_known":
            return {"organisations": ORGANISATIONS[: choice % 4]}  # none is invalid
        case "hold_round_table":
            return {"members": ["mother"], "organisations": [organisation], "decisions": "plan"}
        case "adopt_plan" | "revise_plan":
            return {
                "goals": [Goal(f"g{step_no}", member, ["school", "werk"][choice % 2], "doel")],
                "agreements": [
                    Agreement(f"a{i}", ORGANISATIONS[(choice + i) % 4], "taak")
                    for i in range(choice % 3)
                ],
                "next_evaluation": today + timedelta(days=10 * choice - 5) if choice else None,
            }
        case "evaluate_plan":
            return {
                "members": ["mother"],
                "organisations": [organisation],
                "conclusions": "",
                "next_evaluation": today + timedelta(days=7 * choice) if choice % 2 else None,
            }
        case "record_broken_agreement":
            agreements = [a.agreement_id for a in case.plan.agreements] if case.plan else []
            return {"agreement_id": pick(agreements, choice, "a-unknown"), "notes": ""}
        case "report_separate_plan":
            return {"organisation": organisation, "description": "eigen plan"}
        case "request_referral":
            return {
                "referral_id": f"r{step_no}" if choice != 6 else referral_id,
                "member_id": member,
                "destination": DESTINATIONS[choice % 2],
                "organisation": organisation,
            }
        case "accept_referral" | "start_care":
            return {"referral_id": referral_id}
        case "reject_referral" | "end_care":
            return {"referral_id": referral_id, "reason": "reden"}
        case "extend_referral":
            return {"referral_id": referral_id, "until": today + timedelta(days=90), "reason": "r"}
        case "escalate":
            return {"target": list(EscalationTarget)[choice % 3], "reason": "vastgelopen"}
        case "hold_conversation":
            return {
                "conversation_id": f"c{step_no}",
                "kind": ConversationKind.HOME_VISIT,
                "minutes": Decimal(choice * 10),
                "writing_minutes": Decimal(5),
                "participants": ["mother"],
            }
        case "close_case":
            reasons = [ClosureReason.INACTIVE, ClosureReason.GOALS_REACHED, ClosureReason.MOVED]
            return {
                "reason": reasons[choice % 3],
                "relapse_risk": RelapseRisk.LOW,
                "aftercare_by": "jgz",
                "informed_organisations": [],
            }
        case "reopen_case":
            coach = case.closed_by_coach if choice != 6 else "coach-someone-else"
            return {"help_question_id": "hq-1" if choice else "hq-2", "coach": coach or "nobody"}
        case _:
            return {}  # answer_help_question, contact_waiting_family


COMMANDS = [
    *["grant_consent", "place_on_waitlist", "contact_waiting_family", "assign_coach"] * 2,
    *["request_referral", "accept_referral", "start_care"] * 3,
    "triage",
    "withdraw_consent",
    "leave_waitlist",
    "change_coach",
    "end_coaching",
    "make_regisseur_known",
    "answer_help_question",
    "hold_round_table",
    "adopt_plan",
    "revise_plan",
    "evaluate_plan",
    "record_broken_agreement",
    "report_separate_plan",
    "reject_referral",
    "end_care",
    "extend_referral",
    "escalate",
    "hold_conversation",
    "close_case",
    "reopen_case",
]
days = st.one_of(st.just(0.0), st.floats(0, 5), st.floats(0, 5), st.floats(80, 120))
lateness = st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 3.0])


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[int], list[Step]]:
    places = draw(st.lists(st.integers(0, len(PLACES) - 1), min_size=1, max_size=3))
    step = st.builds(
        Step,
        case=st.integers(0, len(places) - 1),
        command=st.one_of(st.sampled_from(COMMANDS), st.just(PLAUSIBLE), st.just(PLAUSIBLE)),
        days=days,
        late=lateness,
        choice=st.integers(0, 6),
        which=st.integers(0, 20),
    )
    return places, draw(st.lists(step, min_size=20, max_size=60))


Plan = list[tuple[int, bool]]
"""Batches to process: (size, restart the view and worker before it)."""
plans = st.lists(
    st.tuples(st.integers(1, 30), st.sampled_from([False, False, False, True])), max_size=8
)


@dataclass
class Slot:
    """A projection's view as a worker process would hold it: closed and reopened on restart."""

    settings: Settings
    app: CaseApplication
    name: str
    opened: OpenView
    worker: ProjectionWorker

    @classmethod
    def open(cls, settings: Settings, app: CaseApplication, name: str) -> Slot:
        opened = open_view(lean(settings), name)
        return cls(settings, app, name, opened, worker_for(app, opened))

    def restart(self) -> None:
        self.opened.close()
        self.opened = open_view(lean(self.settings), self.name)
        self.worker = worker_for(self.app, self.opened)

    def advance(self, plan: Plan, to_head: bool) -> None:
        """Process batches as planned, resuming each from the view's recorded position."""
        for size, restart in plan:
            if restart:
                self.restart()
                event("restarted a view mid-way")
            batch = self.app.recorder.select_notifications(self.worker.position + 1, size)
            if not batch:
                break
            self.worker.process(batch, self.worker.position)
        if to_head:
            self.worker.catch_up(batch_size=max((size for size, _ in plan), default=20))


@contextmanager
def example_store(base: Settings, number: int) -> Iterator[Settings]:
    """A store of its own for one example, removed after it."""
    if base.store == "sqlite":
        settings = base.model_copy(update={"data_dir": base.data_dir / f"example-{number}"})
        try:
            yield settings
        finally:
            shutil.rmtree(settings.data_dir, ignore_errors=True)
        return
    settings = base.model_copy(update={"postgres_schema": f"{base.postgres_schema}_{number}"})
    try:
        yield settings
    finally:
        drop_schema(settings)


def write(
    app: CaseApplication, clock: FixedClock, case_ids: list[UUID], steps: list[Step], first: int
) -> None:
    """Run the steps through the application; rejected commands store nothing."""
    for number, step in enumerate(steps, start=first):
        clock.advance(days=step.days)
        occurred_at = clock.now() - timedelta(days=step.late)
        case = app.get_case(case_ids[step.case])
        name = step.command
        if name == PLAUSIBLE:
            options = plausible(case)
            name = options[step.which % len(options)]
        arguments = details(name, step.choice, number, case, clock.now().date())
        try:
            run_named(app, name, case_ids[step.case], COORDINATOR, occurred_at, **arguments)
        except DomainError as error:
            event(f"rejected {name}: {type(error).__name__}")
        else:
            event(f"accepted {name}")


numbers = itertools.count()


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=histories(),
    split=st.floats(0, 1),
    during=st.fixed_dictionaries({name: plans for name in PROJECTIONS}),
    after=st.fixed_dictionaries({name: plans for name in PROJECTIONS}),
)
def test_incremental_processing_with_restarts_gives_the_rows_of_a_full_rebuild(
    store_settings: Settings,
    history: tuple[list[int], list[Step]],
    split: float,
    during: dict[str, Plan],
    after: dict[str, Plan],
) -> None:
    places, steps = history
    with example_store(store_settings, next(numbers)) as settings:
        clock = FixedClock(OPENED_AT)
        app = CaseApplication(lean(settings), clock)
        slots: list[Slot] = []
        try:
            slots.extend(Slot.open(settings, app, name) for name in sorted(PROJECTIONS))
            case_ids = []
            for place in places:
                municipality, team, urgency = PLACES[place]
                melding_facts = melding(municipality=municipality, team=team, urgency=urgency)
                case_ids.append(app.open_case(COORDINATOR, **melding_facts)[0])
            middle = round(split * len(steps))
            write(app, clock, case_ids, steps[:middle], 0)
            for slot in slots:  # the workers follow while the cases are being written
                slot.advance(during[slot.name], to_head=False)
            write(app, clock, case_ids, steps[middle:], middle)
            head = app.position()
            events = len(app.recorder.select_notifications(1, head))
            note(f"{head} events; {middle} steps written before the first processing")
            event(f"{events // 10 * 10}-{events // 10 * 10 + 9} events")

            for slot in slots:
                slot.advance(after[slot.name], to_head=True)
                incremental = all_rows(slot.opened)
                assert slot.worker.position == head
                assert slot.worker.rebuild() == events
                assert all_rows(slot.opened) == incremental, f"{slot.name} differs"
                assert slot.opened.view.position(UPSTREAM) == head
        finally:
            for slot in slots:
                slot.opened.close()
            app.close()
