"""The scale benchmark's bulk loader (`bench.bulk_load`) makes a real store: the application
reads every loaded case with its personal data opened by the case's own keys, as the
template's history made it; commands work on loaded cases; a rebuild of the views sees
them all and the name search finds their members; no two cases share a data key.
PostgreSQL only (the loader writes with COPY)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.application import project_aggregate

from application.cases import CaseApplication
from application.clock import FixedClock
from application.key_store import case_scope, member_scope
from application.name_search import NameTokens
from application.settings import Settings
from bench.bulk_load import BulkWriter, Clone, bulk_load, clones, templates
from domain.case import Case
from domain.commands import RegisterTime
from domain.provenance import Actor
from projections.case_index_view import CaseIndexView, CaseQuery
from projections.registry import open_view, worker_for
from tests.conftest import NOW, fresh_postgres_settings

pytestmark = pytest.mark.postgres
CASES = 30
SEED = 7


@pytest.fixture
def settings() -> Iterator[Settings]:
    yield from fresh_postgres_settings()


def replayed(events: list[Any]) -> Case:
    case = project_aggregate(None, events)
    assert isinstance(case, Case)
    return case


def unsealed(state: bytes) -> Any:
    """The stored state with every sealed value's ciphertext left out."""

    def blank(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: "..." if k == "ct" else blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    return blank(json.loads(state))


def personal(case: Case) -> list[tuple[str, str, Any, str]]:
    return [(m.member_id, m.name, m.birth_date, m.address) for m in case.members.values()]


def test_loaded_cases_are_read_acted_on_rebuilt_and_found_like_written_ones(
    settings: Settings,
) -> None:
    histories = templates(12, SEED, NOW, settings.periods_for)
    loaded: list[Clone] = list(clones(histories, 0, CASES, SEED, NOW))
    writer = BulkWriter(settings)
    try:
        assert writer.write(loaded[:10]) + writer.write(loaded[10:]) == sum(
            len(c.events) for c in loaded
        )
        for clone in loaded:  # filled in templates: as the mapper stores each event
            fast = writer.stored_events(clone)
            writer.per_event = True
            slow = writer.stored_events(clone)
            writer.per_event = False
            assert [(e.originator_id, e.originator_version, e.topic) for e in fast] == [
                (e.originator_id, e.originator_version, e.topic) for e in slow
            ]
            assert [unsealed(e.state) for e in fast] == [unsealed(e.state) for e in slow]
        writer.keys.taken()
    finally:
        writer.close()

    app = CaseApplication(settings, FixedClock(NOW + timedelta(minutes=5)))
    try:
        for clone in loaded:
            case = app.get_case(clone.case_id)
            expected = replayed(clone.events)  # the clone's own events, never stored
            assert vars(case) == vars(expected)
            template = replayed(histories[clone.template][: len(clone.events)])
            assert case.version == template.version
            assert personal(case) == [  # the template's family, birth dates moved along
                (m, name, born + (case.opened_at - template.opened_at), address)
                for m, name, born, address in personal(template)
            ]
            assert case.help_question == template.help_question
            assert (case.municipality, case.team) == (template.municipality, template.team)

        scopes = [case_scope(c.case_id) for c in loaded] + [
            member_scope(c.case_id, m) for c in loaded for m in app.get_case(c.case_id).members
        ]
        keys = app.data_keys.store.known_keys(scopes)
        assert set(keys) == set(scopes) and None not in keys.values()
        assert len(set(keys.values())) == len(scopes)  # no two scopes share a key

        open_case = next(c for c in loaded if not app.get_case(c.case_id).is_closed)
        before = app.get_case(open_case.case_id).version
        actor = Actor("coordinator-centrum", "cjg-den-haag", "coordinator")
        app.execute(open_case.case_id, actor, RegisterTime(minutes=Decimal(30)))
        assert app.get_case(open_case.case_id).version == before + 1

        index = open_view(settings, "case_index")
        try:
            worker_for(app, index).rebuild()
            view = index.view
            assert isinstance(view, CaseIndexView)
            listed = {
                row.key
                for place in {app.get_case(c.case_id).municipality for c in loaded}
                for row in view.find_cases(CaseQuery(municipality=place, limit=1000))
            }
            assert listed == {str(c.case_id) for c in loaded}
            tokens = NameTokens.from_store(app.data_keys.store)
            for clone in loaded[:5]:
                member = next(iter(app.get_case(clone.case_id).members.values()))
                assert member.birth_date is not None
                found = view.members_with((tokens.token(member.name, member.birth_date),))
                assert member.member_id in found.get(str(clone.case_id), set())
        finally:
            index.close()
    finally:
        app.close()


def test_loading_over_two_processes_gives_every_case_its_events(settings: Settings) -> None:
    result = bulk_load(settings, 6, processes=2, templates_count=4)
    app = CaseApplication(settings, FixedClock(NOW))
    try:
        ids = list(app.case_ids())
        assert len(ids) == len(set(ids)) == 6
        assert sum(app.get_case(i).version for i in ids) == result.events == app.position()
    finally:
        app.close()
