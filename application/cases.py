"""The case application: one entry for every case command, get -> decide -> save ->
position. The command is a `domain.commands.CaseCommand` object, so what reaches the case
is type-checked from the interface that built it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.case_application import CaseApplicationBase, CaseGuard
from domain.case import Case
from domain.commands import CaseCommand
from domain.provenance import Actor, Provenance


class CaseApplication(CaseApplicationBase):
    """`app.execute(case_id, actor, Triage(outcome=..., coordination_level=...))`: `guard`
    is checked against the freshly read case first (e.g. who may do this). Commands that
    only add a fact are commutative: retried on a concurrent change."""

    name = "Cases"

    def execute(
        self,
        case_id: UUID,
        actor: Actor,
        command: CaseCommand,
        occurred_at: datetime | None = None,
        guard: CaseGuard | None = None,
    ) -> int:
        """Run `command` on the case, as `actor`, as having happened at `occurred_at`
        (defaults to now); the answer is the position of its last event."""

        def decide(case: Case, by: Provenance) -> None:
            command.apply_to(case, by, self.periods_for(case))

        return self.change(
            case_id, actor, occurred_at, decide, guard=guard, commutative=command.commutative
        )
