"""The gezinsplan ("een gezin, een plan", 002): goals per member and life domain,
agreements on who does what by when, and the next evaluation. Versioned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Goal:
    goal_id: str
    member_id: str
    life_domain: str
    description: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Goal:
        return cls(
            goal_id=str(data["goal_id"]),
            member_id=str(data["member_id"]),
            life_domain=str(data["life_domain"]),
            description=str(data["description"]),
        )


@dataclass(frozen=True)
class Agreement:
    """Who does what by when: a party (organisation, optionally a person) and a task."""

    agreement_id: str
    organisation: str
    task: str
    due: date | None = None
    professional: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Agreement:
        return cls(
            agreement_id=str(data["agreement_id"]),
            organisation=str(data["organisation"]),
            task=str(data["task"]),
            due=data.get("due"),
            professional=str(data.get("professional", "")),
        )


@dataclass(frozen=True)
class FamilyPlan:
    version: int
    goals: tuple[Goal, ...]
    agreements: tuple[Agreement, ...]
    next_evaluation: date | None
    adopted_at: datetime
    evaluations: int = 0
