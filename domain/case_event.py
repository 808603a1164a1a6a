"""The base of every case event: when it happened, who recorded it, and a stable topic."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

if TYPE_CHECKING:
    from domain.case import Case

TOPIC_PREFIX = "gezinsregie.case."


class CaseEvent(Aggregate.Event):
    """A fact about a family case. `timestamp` is when it was recorded (server time);
    `occurred_at` is when it happened; `actor` is who recorded it.

    Each subclass declares `TOPIC` (the stored name, stable across refactoring); which of
    its fields hold personal data is declared in `domain.personal_data`."""

    TOPIC: ClassVar[str]

    occurred_at: datetime
    actor: dict[str, str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TOPIC" in cls.__dict__:
            if not cls.TOPIC.startswith(TOPIC_PREFIX):
                raise TypeError(f"{cls.__name__}.TOPIC must start with {TOPIC_PREFIX!r}")
            register_topic(cls.TOPIC, cls)

    def apply(self, aggregate: Any) -> None:
        case: Case = aggregate
        self.evolve(case)
        case.last_activity_at = max(case.last_activity_at, self.occurred_at)

    def evolve(self, case: Case) -> None:
        """Change the case's state by this fact. Runs on the command and on every replay."""
        raise NotImplementedError
