"""Every text an event holds is either declared personal in domain/personal_data.py (so it
is filtered, sealed and erased) or named here as structure: an id, a vocabulary value, an
organisation or a professional. A new text field that is neither fails here, so it cannot
be stored in clear by oversight. Read off realistic demo histories (every kind of event)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from application.cases import CaseApplication
from application.clock import FixedClock
from application.demo import write_demo
from application.settings import load_settings
from domain.case_event import CaseEvent
from domain.personal_data import personal_fields
from tests.factories import OPENED_AT

STRUCTURE = {
    "municipality",
    "team",
    "channel",
    "reporter_organisation",
    "reporter_professional",
    "help_question_id",
    "urgency",
    "members.member_id",
    "members.role",
    "conversation_id",
    "kind",
    "exit",
    "coach",
    "previous_coach",
    "organisation",
    "organisations",
    "consent_id",
    "given_by",
    "about",
    "categories",
    "purpose",
    "form",
    "withdrawn_by",
    "refusal_id",
    "members",  # ids of members (round tables, evaluations, disclosures)
    "legal_ground",
    "referral_id",
    "goals.goal_id",
    "goals.member_id",
    "agreements.agreement_id",
    "agreement_id",
    "agreements.organisation",
    "agreements.professional",
    "method",
    "target",
    "CaseClosed.reason",  # a ClosureReason (other reasons are texts, declared)
    "relapse_risk",
    "aftercare_by",  # a professional or organisation
    "informed_organisations",
    "request_id",
    "requested_by",
    "relation",
    "scope",
    "member_id",
    "cause",
    "refusal_ground",
}


def texts(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The paths of the text leaves of an event's data."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in texts(v, (*path, k))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in texts(v, (*path, i))]
    return []


def without_indexes(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def test_every_text_of_every_event_is_declared_personal_or_named_structure() -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = CaseApplication(load_settings(data_dir=Path(directory)), FixedClock(OPENED_AT))
        try:
            write_demo(app, 40, seed=7)
            undeclared: dict[str, set[str]] = {}
            kinds = set()
            for case_id in app.case_ids():
                case = None
                for event in app.repository.event_store.get(case_id):
                    assert isinstance(event, CaseEvent)
                    kinds.add(type(event).__name__)
                    case = event.mutate(case)
                    declared = {p.path for p in personal_fields(event, case)}
                    data = {k: v for k, v in vars(event).items() if k not in ("originator_topic",)}
                    for path in texts(data):
                        name, kind = without_indexes(path), type(event).__name__
                        covered = any(path[: len(d)] == d for d in declared)
                        structure = {name, f"{kind}.{name}"} & STRUCTURE
                        if not (covered or structure or name.startswith("actor")):
                            undeclared.setdefault(kind, set()).add(name)
        finally:
            app.close()
    assert not undeclared, f"texts neither personal nor structure: {undeclared}"
    assert len(kinds) >= 25, sorted(kinds)  # the demo exercises (nearly) every kind
