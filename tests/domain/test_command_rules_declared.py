"""Each command's `rules` (documented per operation in OpenAPI as its 409s) name every rule
of the domain its case method can break: read from the code, through every method and
function it calls, so a new rule cannot go undocumented."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

import domain
from domain import commands
from domain.commands import COMMON_RULES, CaseCommand
from domain.errors import InvalidInputError, NotInCaseError

DOMAIN = Path(domain.__file__).parent
ANSWERED_OTHERWISE = {InvalidInputError.__name__, NotInCaseError.__name__}  # 422, 404


def functions() -> dict[str, tuple[set[str], set[str]]]:
    """Per function or method name in domain/: the errors it raises, the names it calls."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            raises, calls = found.setdefault(node.name, (set(), set()))
            for inner in ast.walk(node):
                raised = inner.exc if isinstance(inner, ast.Raise) else None
                if isinstance(raised, ast.Call) and isinstance(raised.func, ast.Name):
                    raises.add(raised.func.id)
                if isinstance(inner, ast.Call):
                    function = inner.func
                    if isinstance(function, ast.Attribute):
                        calls.add(function.attr)
                    elif isinstance(function, ast.Name):
                        calls.add(function.id)
    return found


def raised_through(name: str, known: dict[str, tuple[set[str], set[str]]]) -> set[str]:
    seen: set[str] = set()

    def visit(current: str) -> Iterator[str]:
        if current in seen or current not in known:
            return
        seen.add(current)
        raises, calls = known[current]
        yield from raises
        for called in calls:
            yield from visit(called)

    return set(visit(name))


def case_method_of(command: type[CaseCommand]) -> str:
    tree = ast.parse(inspect.getsource(command.apply_to).strip())
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "case"
    ]
    assert len(calls) == 1, command
    return calls[0].func.attr  # type: ignore[union-attr]


COMMANDS = [
    c
    for c in vars(commands).values()
    if inspect.isclass(c) and issubclass(c, CaseCommand) and not inspect.isabstract(c)
]


def test_every_command_is_checked_here() -> None:
    assert len(COMMANDS) == 37


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_a_command_declares_every_rule_its_case_method_can_break(
    command: type[CaseCommand],
) -> None:
    raised = raised_through(case_method_of(command), functions())
    declared = {rule.__name__ for rule in (*command.rules, *COMMON_RULES)}
    assert raised - ANSWERED_OTHERWISE <= declared, command.__name__
    assert declared - {r.__name__ for r in COMMON_RULES} <= raised, "declared but not raised"
