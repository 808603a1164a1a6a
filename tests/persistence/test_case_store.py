"""The case store on SQLite and PostgreSQL: what is saved is what is reloaded, history is
versioned without gaps, topics are stable, and a concurrent change is stored or rejected whole."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.cases import CaseApplication
from application.clock import FixedClock
from application.errors import CaseNotFoundError, ConcurrentChangeError
from application.settings import Settings
from domain.case import Case
from domain.case_event import TOPIC_PREFIX
from domain.commands import HoldConversation, RequestReferral, Triage
from domain.events_intake import CaseTriaged
from domain.plan import Agreement, Goal
from domain.provenance import Actor, Provenance
from domain.vocabulary import (
    ClosureReason,
    ConsentPurpose,
    ConversationKind,
    ReferralDestination,
    RelapseRisk,
    TriageOutcome,
)
from tests.command_names import run_named
from tests.factories import COACH, COORDINATOR, melding, waitlist_consent

THREADS = 8
COMMANDS_PER_THREAD = 10


def conversation(conversation_id: str) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "kind": ConversationKind.HOME_VISIT,
        "minutes": Decimal("22.5"),
        "writing_minutes": Decimal("7.25"),
        "participants": ["mother", "child"],
        "notes": "Thuisbezoek: afspraken over schoolgang",
    }


WAITLIST_CONSENT = waitlist_consent("consent-wait")
ROUND_TABLE = {
    "members": ["mother", "father", "child"],
    "organisations": ["cjg-den-haag", "school-de-linde"],
    "decisions": "Eén gezinsplan; Anna is regisseur",
}
PLAN = {
    "goals": [Goal("goal-1", "child", "school", "Gaat elke dag naar school")],
    "agreements": [
        Agreement("agr-1", "school-de-linde", "Verzuim melden", date(2026, 9, 1), "teacher-7")
    ],
    "next_evaluation": date(2026, 10, 1),
}
REFERRAL = {
    "member_id": "child",
    "destination": ReferralDestination.SPECIALISED_GGZ,
    "organisation": "ggz-haaglanden",
}
CLOSURE = {
    "reason": ClosureReason.GOALS_REACHED,
    "relapse_risk": RelapseRisk.LOW,
    "aftercare_by": "jgz",
    "informed_organisations": ["school-de-linde"],
}
LIFE: list[tuple[int, Actor, str, dict[str, Any]]] = [
    # (days after the previous step, who, the application's command, its details)
    (1, COORDINATOR, "triage", {"outcome": TriageOutcome.COMPLEX, "coordination_level": 5}),
    (0, COORDINATOR, "grant_consent", WAITLIST_CONSENT),
    (1, COORDINATOR, "place_on_waitlist", {"priority": 2}),
    (14, COORDINATOR, "contact_waiting_family", {}),
    (7, COORDINATOR, "assign_coach", {"coach": "coach-anna", "organisation": "cjg-den-haag"}),
    (1, COACH, "hold_conversation", conversation("conv-1")),
    (7, COACH, "hold_round_table", ROUND_TABLE),
    (1, COACH, "adopt_plan", PLAN),
    (2, COACH, "request_referral", {"referral_id": "ref-1", **REFERRAL}),
    (5, COACH, "accept_referral", {"referral_id": "ref-1"}),
    (10, COACH, "start_care", {"referral_id": "ref-1"}),
    (1, COACH, "register_time", {"minutes": Decimal(15), "writing_minutes": Decimal("0.5")}),
    (30, COACH, "close_case", CLOSURE),
    (20, COACH, "reopen_case", {"coach": "coach-anna", "help_question_id": "hq-1"}),
]
EVENTS_OF_A_LIFE = 1 + len(LIFE) + 1 + 1  # opened, LIFE (assign_coach records two), evaluated


def live_a_case(app: CaseApplication, clock: FixedClock) -> tuple[UUID, list[int], Case]:
    """A case from melding to reopening and an evaluation: its id, the positions its
    commands answered, and the case as it was in memory when the last one was saved."""
    case_id, opened = app.open_case(COORDINATOR, occurred_at=clock.now(), **melding())
    positions = [opened]
    for days, actor, command, details in LIFE:
        clock.advance(days=days)
        an_hour_ago = clock.now() - timedelta(hours=1)
        positions.append(run_named(app, command, case_id, actor, an_hour_ago, **details))
    saved: list[Case] = []

    def evaluate_and_keep(case: Case, by: Provenance) -> None:
        case.evaluate_plan(
            by, members=["mother"], organisations=[], conclusions="Beter", next_evaluation=None
        )
        saved.append(case)

    clock.advance(days=1)
    positions.append(app.change(case_id, COACH, None, evaluate_and_keep))
    return case_id, positions, saved[0]


def state_of(case: Case) -> dict[str, Any]:
    return {name: value for name, value in case.__dict__.items() if name != "_pending_events"}


def test_a_reloaded_case_equals_the_case_that_was_saved(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    case_id, _, saved = live_a_case(app, clock)
    other_process = CaseApplication(store_settings, clock)
    try:
        reloaded = other_process.get_case(case_id)
    finally:
        other_process.close()

    assert state_of(reloaded) == state_of(saved) == state_of(app.get_case(case_id))
    assert reloaded.version == EVENTS_OF_A_LIFE
    assert reloaded.reopen_count == 1 and reloaded.plan is not None
    assert reloaded.total_minutes == Decimal("22.5") + Decimal("7.25") + Decimal("15.5")
    assert type(reloaded.conversations[0].minutes) is Decimal
    assert type(reloaded.members["child"].birth_date) is date
    assert type(reloaded.plan.agreements[0].due) is date
    assert type(reloaded.opened_at) is datetime and reloaded.opened_at.tzinfo is not None
    assert reloaded.triage_outcome is TriageOutcome.COMPLEX
    assert reloaded.referrals["ref-1"].destination is ReferralDestination.SPECIALISED_GGZ
    assert reloaded.consents["consent-wait"].purpose is ConsentPurpose.WAITLIST


def test_a_case_can_be_read_as_it_was_after_each_event(
    app: CaseApplication, clock: FixedClock
) -> None:
    case_id, positions, _ = live_a_case(app, clock)
    versions = list(range(1, EVENTS_OF_A_LIFE + 1))

    assert app.get_case(case_id, version=1).triage_outcome is None
    assert app.get_case(case_id, version=2).triage_outcome is TriageOutcome.COMPLEX
    assert app.get_case(case_id, version=4).is_waiting
    assert app.get_case(case_id, version=6).coach is None
    assert app.get_case(case_id, version=7).coach == "coach-anna"
    assert [app.repository.get(case_id, version=n).version for n in versions] == versions
    assert [event.originator_version for event in app.events.get(case_id)] == versions
    assert positions == sorted(set(positions))
    assert positions[-1] == app.position()


def test_events_are_stored_under_their_explicit_stable_topics(
    app: CaseApplication, clock: FixedClock
) -> None:
    live_a_case(app, clock)
    notifications = app.recorder.select_notifications(1, 100)
    topics = [n.topic for n in notifications]

    assert len(topics) == EVENTS_OF_A_LIFE
    assert all(topic.startswith(TOPIC_PREFIX) for topic in topics), topics
    assert topics[:2] == ["gezinsregie.case.opened.v1", "gezinsregie.case.triaged.v1"]
    opened = app.mapper.to_domain_event(notifications[0])
    assert opened.originator_topic == "gezinsregie.case.aggregate.v1"  # not a module path


def issue(app: CaseApplication, case_id: UUID, command_id: str) -> int:
    """Conversations are commutative (retried on a conflict); referrals and triage are not."""
    if command_id.startswith("conversation"):
        return app.execute(case_id, COACH, HoldConversation(**conversation(command_id)))
    if command_id.startswith("referral"):
        return app.execute(case_id, COACH, RequestReferral(referral_id=command_id, **REFERRAL))
    return app.execute(
        case_id, COORDINATOR, Triage(outcome=TriageOutcome.CRISIS, coordination_level=5)
    )


def issue_commands(app: CaseApplication, case_id: UUID, thread: int) -> dict[str, int | None]:
    """One thread's commands, each answered by its position, or None when rejected."""
    answers: dict[str, int | None] = {}
    for n in range(COMMANDS_PER_THREAD):
        command_id = f"{('conversation', 'referral', 'triage')[n % 3]}-{thread}-{n}"
        try:
            answers[command_id] = issue(app, case_id, command_id)
        except ConcurrentChangeError:
            answers[command_id] = None
    return answers


def test_concurrent_commands_on_one_case_are_stored_whole_or_rejected_whole(
    app: CaseApplication,
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    start = threading.Barrier(THREADS, timeout=30)

    def run(thread: int) -> dict[str, int | None]:
        start.wait()
        return issue_commands(app, case_id, thread)

    answers: dict[str, int | None] = {}
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for thread_answers in pool.map(run, range(THREADS)):
            answers.update(thread_answers)

    assert len(answers) == THREADS * COMMANDS_PER_THREAD
    accepted = {command_id: at for command_id, at in answers.items() if at is not None}
    case = app.get_case(case_id)
    stored = list(app.events.get(case_id))

    def accepted_of(kind: str) -> set[str]:
        return {command_id for command_id in accepted if command_id.startswith(kind)}

    # Equal sets: every accepted command is in the history, and no rejected one.
    assert {c.conversation_id for c in case.conversations} == accepted_of("conversation")
    assert set(case.referrals) == accepted_of("referral")
    assert sum(isinstance(e, CaseTriaged) for e in stored) == len(accepted_of("triage"))
    assert len(stored) == 1 + len(accepted)
    assert [event.originator_version for event in stored] == list(range(1, len(stored) + 1))
    assert len(set(accepted.values())) == len(accepted)


def test_a_command_on_a_case_changed_since_it_was_read_is_rejected_and_stores_nothing(
    app: CaseApplication,
) -> None:
    """Tried on the case held in memory, then once on the case read from the store (the
    first failure may only mean that memory was behind); another write came first both
    times."""
    case_id, _ = app.open_case(COORDINATOR, **melding())
    meanwhile = iter(["meanwhile-1", "meanwhile-2", "meanwhile-3"])

    def triage_while_another_writes(case: Case, by: Provenance) -> None:
        app.execute(case_id, COACH, HoldConversation(**conversation(next(meanwhile))))
        case.triage(by, outcome=TriageOutcome.CRISIS, coordination_level=5)

    with pytest.raises(ConcurrentChangeError) as rejected:
        app.change(case_id, COORDINATOR, None, triage_while_another_writes)

    assert rejected.value.case_id == case_id
    case = app.get_case(case_id)
    assert case.version == 3 and case.triage_outcome is None
    assert [c.conversation_id for c in case.conversations] == ["meanwhile-1", "meanwhile-2"]


def test_a_commutative_command_is_retried_against_the_fresh_case(app: CaseApplication) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    interrupted: list[bool] = []

    def converse_while_another_writes_once(case: Case, by: Provenance) -> None:
        if not interrupted:
            interrupted.append(True)
            app.execute(case_id, COACH, HoldConversation(**conversation("meanwhile")))
        case.hold_conversation(by, **conversation("mine"))

    app.change(case_id, COACH, None, converse_while_another_writes_once, commutative=True)

    case = app.get_case(case_id)
    assert case.version == 3
    assert [c.conversation_id for c in case.conversations] == ["meanwhile", "mine"]


def test_a_missing_case_is_reported_as_not_found(app: CaseApplication) -> None:
    missing = uuid4()
    with pytest.raises(CaseNotFoundError) as not_found:
        app.get_case(missing)
    assert not_found.value.case_id == missing
    with pytest.raises(CaseNotFoundError):
        app.execute(
            missing, COORDINATOR, Triage(outcome=TriageOutcome.SINGLE, coordination_level=1)
        )


@pytest.mark.parametrize("batch_size", [1, 2, 5, 1000])
def test_every_opened_case_is_listed_once_in_opening_order(
    app: CaseApplication, batch_size: int
) -> None:
    opened = []
    for _ in range(5):
        case_id, _ = app.open_case(COORDINATOR, **melding())
        app.execute(
            case_id, COORDINATOR, Triage(outcome=TriageOutcome.SINGLE, coordination_level=1)
        )
        opened.append(case_id)

    assert list(app.case_ids(batch_size=batch_size)) == opened
