"""The OpenAPI document is a contract a partner's developer can integrate from: every
operation says what it answers, every error it documents has an example, every command
says who may call it and which rules answer 409, every POST takes an Idempotency-Key."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from application.errors import ConcurrentChangeError
from application.settings import load_settings
from domain.errors import DomainError
from interfaces.http.app import create_app

DOCUMENT = create_app(
    load_settings(store="sqlite", jwt_secret=SecretStr("contract-" + "x" * 32))
).openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]
COMMANDS = [
    (m, p, o) for m, p, o in OPERATIONS if m == "POST" and p.startswith("/v1/cases/{case_id}/")
]
"""The commands on a case (POST /v1/cases/search is a read: tests/http/test_case_search.py)."""


def rule_ids() -> set[str]:
    def subclasses(cls: type[DomainError]) -> set[type[DomainError]]:
        return {cls} | {s for c in cls.__subclasses__() for s in subclasses(c)}

    return {c.rule for c in subclasses(DomainError)} | {ConcurrentChangeError.rule}


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        resolved_schema: dict[str, Any] = DOCUMENT["components"]["schemas"][
            schema["$ref"].rsplit("/", 1)[1]
        ]
        return resolved_schema
    return schema


def label(operation: tuple[str, str, dict[str, Any]]) -> str:
    return f"{operation[0]} {operation[1]}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=label)
def test_every_operation_documents_the_shape_of_its_answer(
    operation: tuple[str, str, dict[str, Any]],
) -> None:
    _, _, documented = operation
    successes = {s: r for s, r in documented["responses"].items() if s.startswith("2")}
    assert successes
    for response in successes.values():
        assert response["content"]
        for media in response["content"].values():
            schema = resolved(media["schema"])
            assert schema.get("properties") or schema.get("type") in ("array", "string")
            assert schema.get("additionalProperties") is not True


@pytest.mark.parametrize("operation", OPERATIONS, ids=label)
def test_every_documented_error_has_an_example_of_itself(
    operation: tuple[str, str, dict[str, Any]],
) -> None:
    _, _, documented = operation
    for status, response in documented["responses"].items():
        if status < "400":
            continue
        for media in response["content"].values():
            examples = (
                [media["example"]]
                if "example" in media
                else [e["value"] for e in media["examples"].values()]
            )
            assert examples, status
            for example in examples:
                assert isinstance(example, dict) and example != {}
                if "problem" in next(iter(response["content"])):  # problem+json
                    assert example["status"] == int(status) and example["detail"]


@pytest.mark.parametrize("operation", COMMANDS, ids=label)
def test_every_command_says_who_may_call_it_and_which_rules_answer_409(
    operation: tuple[str, str, dict[str, Any]],
) -> None:
    _, _, documented = operation
    assert "**Who may:**" in documented["description"]
    conflict = documented["responses"]["409"]["content"]["application/problem+json"]
    documented_rules = {e["value"]["rule"] for e in conflict["examples"].values()}
    assert "occurred-at-within-case" in documented_rules
    assert documented_rules <= rule_ids()
    for rule in documented_rules:
        assert f"`{rule}`" in documented["description"]


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o[0] == "POST"], ids=label)
def test_every_post_takes_an_idempotency_key(operation: tuple[str, str, dict[str, Any]]) -> None:
    _, _, documented = operation
    headers = {p["name"] for p in documented["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers


def test_rules_of_the_case_are_told_apart_by_command() -> None:
    """Not the same generic list everywhere: a referral step is refused by the order of
    referral steps, which assigning a coach is not."""
    by_path = {p: o for m, p, o in COMMANDS}
    start = by_path["/v1/cases/{case_id}/referrals/{referral_id}/start"]["description"]
    coach = by_path["/v1/cases/{case_id}/coach"]["description"]
    assert "`referral-transitions-in-order`" in start
    assert "`referral-transitions-in-order`" not in coach
    assert "`one-regisseur-at-a-time`" in coach
