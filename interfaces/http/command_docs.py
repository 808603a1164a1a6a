"""The documentation of one command's operation: who may call it, which rules of the case
answer 409 (each with an example as the API sends it), and what 404 and 422 mean there.
Read from the command's own declaration (`CaseCommand.rules`, `WHO_MAY`), so the
documentation follows the domain."""

from __future__ import annotations

from typing import Any

from domain.authorization import WHO_MAY, Duty
from domain.commands import COMMON_RULES, CaseCommand
from domain.errors import DomainError
from interfaces.http.schemas.common import PROBLEM_STATUSES, Problem, problem_example


def rule_text(rule: type[DomainError]) -> str:
    return (rule.__doc__ or rule.rule).strip().splitlines()[0]


def description(summary: str, command: type[CaseCommand], duty: Duty) -> str:
    rules = "\n".join(f"- `{r.rule}`: {rule_text(r)}" for r in (*command.rules, *COMMON_RULES))
    return (
        f"{summary}.\n\n**Who may:** {WHO_MAY[duty]}.\n\n"
        f"**Refused with 409 (nothing is stored) by the rules:**\n{rules}\n"
        "- `no-concurrent-change` when another change came first and the command is not one "
        "that is retried"
    )


def responses(command: type[CaseCommand]) -> dict[int | str, dict[str, Any]]:
    """409 with an example per rule the command may break (the status keeps its one
    generic example elsewhere)."""
    examples = {
        rule.rule: {
            "summary": rule_text(rule),
            "value": problem_example(
                409, title="A rule of the case forbids this", detail=rule_text(rule), rule=rule.rule
            ),
        }
        for rule in (*command.rules, *COMMON_RULES)
    }
    return {
        409: {
            "model": Problem,
            "description": PROBLEM_STATUSES[409],
            "content": {"application/json": {"examples": examples}},
        }
    }
