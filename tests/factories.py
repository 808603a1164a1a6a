"""Builders for realistic test families, actors and provenance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.case import Case
from domain.family import FamilyMember
from domain.provenance import Actor, Provenance
from domain.vocabulary import (
    Channel,
    ConsentForm,
    ConsentPurpose,
    DataCategory,
    MemberRole,
    ProblemCategory,
    Urgency,
)

OPENED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
COORDINATOR = Actor(subject="coordinator-1", organisation="cjg-den-haag", role="coordinator")
COACH = Actor(subject="coach-anna", organisation="cjg-den-haag", role="coach")


def member(
    member_id: str,
    role: MemberRole,
    born: date,
    *,
    authority: bool = False,
) -> FamilyMember:
    return FamilyMember(
        member_id=member_id,
        role=role,
        name=f"Name of {member_id}",
        birth_date=born,
        parental_authority=authority,
        address=f"Street of {member_id} 1",
    )


def family(child_born: date = date(2018, 3, 1)) -> list[FamilyMember]:
    """Two parents with gezag and one child (8 in 2026 by default)."""
    return [
        member("mother", MemberRole.PARENT, date(1988, 5, 2), authority=True),
        member("father", MemberRole.PARENT, date(1986, 7, 9), authority=True),
        member("child", MemberRole.CHILD, child_born),
    ]


def melding(**overrides: Any) -> dict[str, Any]:
    """The facts of a melding as the application's open_case takes them."""
    facts: dict[str, Any] = {
        "municipality": "den-haag",
        "team": "team-centrum",
        "channel": Channel.PROFESSIONAL,
        "reporter_organisation": "school-de-linde",
        "reporter_professional": "teacher-7",
        "members": family(),
        "help_question_id": "hq-1",
        "help_question": "Ouders vragen hulp bij opvoeding en schoolverzuim",
        "problems_parents": [ProblemCategory.FAMILY_AND_PARENTING],
        "problems_children": [ProblemCategory.SCHOOL],
        "urgency": Urgency.NORMAL,
    }
    facts.update(overrides)
    return facts


def at(
    days: float = 0, actor: Actor = COORDINATOR, recorded_days: float | None = None
) -> Provenance:
    """Provenance for a fact `days` after the case opened, recorded at the same moment."""
    occurred = OPENED_AT + timedelta(days=days)
    recorded = OPENED_AT + timedelta(days=days if recorded_days is None else recorded_days)
    return Provenance(actor=actor, occurred_at=occurred, recorded_at=recorded)


def open_case(**overrides: Any) -> Case:
    return Case.open(case_id=uuid4(), by=at(0), **melding(**overrides))


def assert_rejected(case: Case, error: type[Exception], command: Callable[[], object]) -> None:
    """The command raises `error` and records nothing."""
    version, pending = case.version, list(case.pending_events)
    state = {k: v for k, v in vars(case).items() if k != "_pending_events"}
    with pytest.raises(error):
        command()
    assert case.version == version
    assert list(case.pending_events) == pending
    assert {k: v for k, v in vars(case).items() if k != "_pending_events"} == state


def waitlist_consent(consent_id: str = "consent-waitlist") -> dict[str, Any]:
    """The parents' consent to the coordination point placing them on its waitlist."""
    return {
        "consent_id": consent_id,
        "given_by": ["mother", "father"],
        "about": ["mother", "father", "child"],
        "organisation": "cjg-den-haag",
        "categories": [DataCategory.IDENTITY, DataCategory.HELP_QUESTION],
        "purpose": ConsentPurpose.WAITLIST,
        "form": ConsentForm.WRITTEN,
    }


def consent_to_waitlist(case: Case, day: float = 1, consent_id: str = "consent-waitlist") -> None:
    """The parents consent to the coordination point placing them on its waitlist."""
    case.grant_consent(at(day), **waitlist_consent(consent_id))
