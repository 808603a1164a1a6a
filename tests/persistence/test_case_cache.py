"""Cases kept in memory (application/case_cache.py) on SQLite and PostgreSQL: a read replays
only what is new, yet every read sees every committed event, a cached state is never
changed in place, and a command that fails leaves nothing behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

import pytest

from application.cases import CaseApplication
from application.clock import FixedClock
from application.errors import ConcurrentChangeError
from application.settings import Settings
from domain.case import Case
from domain.commands import AdoptPlan, HoldConversation, RevisePlan, Triage
from domain.errors import DomainError, PlanError
from domain.plan import Agreement, Goal
from domain.provenance import Provenance
from domain.vocabulary import TriageOutcome
from tests.factories import COACH, COORDINATOR, melding
from tests.persistence.test_case_store import conversation, state_of

THREADS = 4
CONVERSATIONS_PER_THREAD = 5


def test_a_case_read_again_without_changes_is_served_from_memory(app: CaseApplication) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    first = app.get_case(case_id)

    assert app.get_case(case_id) is first


def test_a_change_makes_a_new_state_and_leaves_the_state_read_before_as_it_was(
    app: CaseApplication,
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    before = app.get_case(case_id)
    state_before = deepcopy(state_of(before))

    app.execute(case_id, COORDINATOR, Triage(outcome=TriageOutcome.COMPLEX, coordination_level=3))
    after = app.get_case(case_id)

    assert after is not before
    assert state_of(before) == state_before
    assert after.version == before.version + 1
    assert after.triage_outcome is TriageOutcome.COMPLEX and before.triage_outcome is None


def test_a_command_that_fails_halfway_leaves_the_cached_case_untouched(
    app: CaseApplication,
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    cached = app.get_case(case_id)
    state_before = deepcopy(state_of(cached))

    def triage_then_break_a_rule(case: Case, by: Provenance) -> None:
        case.triage(by, outcome=TriageOutcome.CRISIS, coordination_level=5)
        raise DomainError("a rule checked after the first change")

    with pytest.raises(DomainError):
        app.change(case_id, COORDINATOR, None, triage_then_break_a_rule)

    assert app.get_case(case_id) is cached
    assert state_of(cached) == state_before
    assert cached.triage_outcome is None and cached.version == 1
    assert [e.originator_version for e in app.events.get(case_id)] == [1]


def test_a_change_made_by_another_process_is_seen_at_the_next_read(
    app: CaseApplication, store_settings: Settings, clock: FixedClock
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    app.get_case(case_id)  # now cached here
    other_process = CaseApplication(store_settings, clock)
    try:
        other_process.execute(case_id, COACH, HoldConversation(**conversation("elsewhere")))
        seen_there = other_process.get_case(case_id)
    finally:
        other_process.close()

    seen_here = app.get_case(case_id)
    assert [c.conversation_id for c in seen_here.conversations] == ["elsewhere"]
    assert state_of(seen_here) == state_of(seen_there)


def test_after_concurrent_commands_the_cached_state_equals_a_full_replay(
    app: CaseApplication,
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    app.get_case(case_id)
    start = threading.Barrier(THREADS, timeout=30)

    def converse(thread: int) -> int:
        """How many of its conversations were stored (a command may lose every retry)."""
        start.wait()
        stored = 0
        for number in range(CONVERSATIONS_PER_THREAD):
            try:
                app.execute(
                    case_id, COACH, HoldConversation(**conversation(f"c-{thread}-{number}"))
                )
                stored += 1
            except ConcurrentChangeError:
                pass
            app.get_case(case_id)
        return stored

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        stored = sum(pool.map(converse, range(THREADS)))

    cached = app.get_case(case_id)
    replayed = app.repository.get(case_id)
    assert stored > 0
    assert cached.version == 1 + stored
    assert state_of(cached) == state_of(replayed)


@contextmanager
def cache_of(size: int, settings: Settings, clock: FixedClock) -> Iterator[CaseApplication]:
    """The application on the same store with a cache of `size` cases."""
    app = CaseApplication(settings.model_copy(update={"case_cache_size": size}), clock)
    try:
        yield app
    finally:
        app.close()


def test_with_no_cache_every_read_replays_the_case(
    store_settings: Settings, clock: FixedClock
) -> None:
    with cache_of(0, store_settings, clock) as app:
        case_id, _ = app.open_case(COORDINATOR, **melding())
        first, second = app.get_case(case_id), app.get_case(case_id)

    assert first is not second
    assert state_of(first) == state_of(second)


def test_the_least_recently_used_case_is_dropped_first(
    store_settings: Settings, clock: FixedClock
) -> None:
    with cache_of(2, store_settings, clock) as app:
        ids = [app.open_case(COORDINATOR, **melding())[0] for _ in range(3)]
        kept = {case_id: app.get_case(case_id) for case_id in ids[:2]}
        app.get_case(ids[0])  # the first is now the most recently used
        app.get_case(ids[2])  # so the second is dropped
        assert app.get_case(ids[0]) is kept[ids[0]]
        assert app.get_case(ids[1]) is not kept[ids[1]]


def test_a_position_is_known_reached_once_this_process_saved_or_saw_it(
    store_settings: Settings, app: CaseApplication
) -> None:
    _, opened = app.open_case(COORDINATOR, **melding())
    assert app.has_reached(opened) and not app.has_reached(opened + 1)
    other = CaseApplication(store_settings, FixedClock(app.clock.now()))
    try:
        assert not other.has_reached(opened)  # saved elsewhere: not known here yet
        assert other.position() == opened
        assert other.has_reached(opened) and not other.has_reached(opened + 1)
    finally:
        other.close()


PLAN = {
    "goals": [Goal("g1", "child", "school", "gaat weer naar school")],
    "agreements": [Agreement("a1", "school-de-linde", "dagelijks contact", None)],
    "next_evaluation": None,
}


def test_a_command_on_a_case_held_in_memory_asks_the_store_nothing_before_saving(
    app: CaseApplication,
) -> None:
    case_id, _ = app.open_case(COORDINATOR, **melding())
    with queries_for_events(app) as asked:
        app.execute(case_id, COACH, HoldConversation(**conversation("c1")))
    assert asked == []
    assert [c.conversation_id for c in app.get_case(case_id).conversations] == ["c1"]


def test_a_command_decided_on_memory_that_is_behind_is_decided_again_on_the_stored_case(
    store_settings: Settings, app: CaseApplication
) -> None:
    """Another process adopts the plan while this one holds the case without it: adopting
    here passes in memory, but not the save, and is refused on the stored case; revising
    is refused in memory and done on the stored case."""
    adopted_elsewhere, _ = app.open_case(COORDINATOR, **melding())
    revised_here, _ = app.open_case(COORDINATOR, **melding())
    other = CaseApplication(store_settings, FixedClock(app.clock.now()))
    try:
        for case_id in (adopted_elsewhere, revised_here):
            other.execute(case_id, COORDINATOR, AdoptPlan(**PLAN))
    finally:
        other.close()

    with pytest.raises(PlanError):
        app.execute(adopted_elsewhere, COORDINATOR, AdoptPlan(**PLAN))
    app.execute(revised_here, COORDINATOR, RevisePlan(**PLAN))

    assert app.get_case(adopted_elsewhere).version == 2
    assert app.get_case(revised_here).version == 3
    assert app.get_case(revised_here).plan is not None


@contextmanager
def queries_for_events(app: CaseApplication) -> Iterator[list[object]]:
    """The case store's queries for a case's events while the block runs."""
    asked: list[object] = []
    select_events = app.recorder.select_events

    def counted(*args: Any, **kwargs: Any) -> Any:
        asked.append(args)
        return select_events(*args, **kwargs)

    app.recorder.select_events = counted  # type: ignore[method-assign]
    try:
        yield asked
    finally:
        del app.recorder.select_events
