"""Schemathesis over the API's own OpenAPI document, on an embedded (SQLite) app.

Every operation gets generated requests, valid and invalid, as a coordinator of den-haag
and as an admin: against random ids, and against a real case (with a coach, a referral and
a consent) so that commands reach the domain. Random input may well be refused (4xx);
what may never happen: a 5xx, a status the operation does not document, an answer that
is not as documented, or an error that is not application/problem+json. The one 5xx by
design is 503 "Not yet available" for a ?position= the store has not reached; the app
waits only 10 ms for it here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from application.clock import FixedClock
from application.settings import load_settings
from domain.authorization import Role, User
from interfaces.http.app import create_app
from interfaces.tokens import TokenService
from tests.conftest import NOW
from tests.http.conftest import melding_json

SECRET = SecretStr("fuzz-secret-" + "x" * 32)
COORDINATOR = User("coordinator-fuzz", "cjg-den-haag", frozenset({Role.COORDINATOR}), "den-haag")
ADMIN = User("admin-fuzz", "gemeente-beheer", frozenset({Role.ADMIN}))
PROBLEM_JSON = "application/problem+json"
OPENED = "2026-01-05T09:30:00+00:00"

# The document the app serves at /openapi.json (checked below), read without starting it.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(load_settings(store="sqlite", jwt_secret=SECRET)).openapi()
)
SCHEMA.config.phases.update(phases=["examples", "fuzzing", "stateful"])
FUZZ = settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))


class ServerLog(logging.Handler):
    """The tracebacks the app logs for unhandled errors, to show with a 5xx."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.Formatter().format(record))


@dataclass
class Target:
    app: FastAPI
    client: TestClient
    session: ASGIClient
    tokens: TokenService
    log: ServerLog
    cases: dict[tuple[str, str], str] = field(default_factory=dict)

    def headers(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.issue(user)}"}

    def real_case(self, operation: str, user: User) -> str:
        """One case per operation and user: the examples of one test share it."""
        key = (operation, user.subject)
        if key not in self.cases:
            self.cases[key] = open_real_case(self.client, self.headers(ADMIN))
        return self.cases[key]


def open_real_case(client: TestClient, headers: dict[str, str]) -> str:
    """Opened months ago, so that the documented example moments fall within the case."""
    opened = client.post("/v1/cases", json=melding_json(occurred_at=OPENED), headers=headers)
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["case_id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("/coach", {"coach": "coach-anna", "organisation": "cjg-den-haag"}),
        (
            "/referrals",
            {
                "referral_id": "ref-1",
                "member_id": "child",
                "destination": "specialised_ggz",
                "organisation": "ggz-haaglanden",
            },
        ),
        (
            "/consents",
            {
                "consent_id": "consent-1",
                "given_by": ["mother", "father"],
                "about": ["child"],
                "organisation": "ggz-haaglanden",
                "categories": ["referrals"],
                "purpose": "referral",
                "form": "written",
            },
        ),
    ]
    for path, body in steps:
        body = {**body, "occurred_at": OPENED}
        done = client.post(f"/v1/cases/{case_id}{path}", json=body, headers=headers)
        assert done.status_code == 200, done.text
    return case_id


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The app under fuzzing, started once: schemathesis sends to it through a session of
    its own that does not start the app a second time."""
    app_settings = load_settings(
        store="sqlite",
        data_dir=tmp_path_factory.mktemp("fuzz") / "var",
        jwt_secret=SECRET,
        wait_timeout_seconds=0.01,
    )
    app = create_app(app_settings, FixedClock(NOW))
    log, logger = ServerLog(), logging.getLogger("gezinsregie")
    logger.addHandler(log)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Target(app, client, get_client(app), TokenService(app_settings), log)
    finally:
        logger.removeHandler(log)


def header(response: schemathesis.Response, name: str) -> str:
    values = response.headers.get(name, [])
    return values[0] if values else ""


def is_not_yet_available(response: schemathesis.Response) -> bool:
    """Read-your-writes: a position the store has not reached (documented in the API)."""
    if response.status_code != 503:
        return False
    problem = response.json()
    return bool(problem["title"] == "Not yet available" and header(response, "retry-after"))


def call_and_check(case: schemathesis.Case, target: Target, user: User) -> schemathesis.Response:
    headers = target.headers(user)
    logged = len(target.log.records)
    # An exception the app does not handle comes back here raised, with its traceback and
    # a curl command to reproduce; a 5xx the app answers itself is caught below.
    response = case.call(session=target.session, headers=headers)
    if is_not_yet_available(response):
        return response
    if response.status_code >= 500:
        tracebacks = "\n".join(target.log.records[logged:]) or "(nothing logged)"
        pytest.fail(
            f"{response.status_code} for\n{case.as_curl_command(headers)}\n\n"
            f"answer: {response.text[:2000]}\n\nserver log:\n{tracebacks}"
        )
    if response.status_code >= 400:
        # The API's error contract: problem+json, with its status and a message.
        assert header(response, "content-type") == PROBLEM_JSON, case.as_curl_command()
        problem = response.json()
        assert problem["status"] == response.status_code
        assert isinstance(problem["title"], str) and isinstance(problem["detail"], str)
    # Every answer, error or not, has a status the operation documents, in the documented
    # media type and shape.
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
            content_type_conformance,
        ],
        headers=headers,
    )
    return response


USERS = pytest.mark.parametrize("user", [COORDINATOR, ADMIN], ids=["coordinator", "admin"])


@USERS
@SCHEMA.parametrize()
@FUZZ
def test_generated_requests_get_no_5xx_and_documented_answers(
    case: schemathesis.Case, target: Target, user: User
) -> None:
    call_and_check(case, target, user)


@USERS
@SCHEMA.include(path_regex=r"\{case_id\}").parametrize()
@FUZZ
def test_generated_requests_to_a_real_case_get_no_5xx_and_documented_answers(
    case: schemathesis.Case, target: Target, user: User
) -> None:
    assert case.path_parameters is not None
    case.path_parameters["case_id"] = target.real_case(case.operation.label, user)
    if "referral_id" in case.path_parameters:
        case.path_parameters["referral_id"] = "ref-1"
    if "consent_id" in case.path_parameters:
        case.path_parameters["consent_id"] = "consent-1"
    call_and_check(case, target, user)


def test_the_fuzzed_document_is_the_one_the_app_serves(target: Target) -> None:
    assert target.client.get("/openapi.json").json() == SCHEMA.raw_schema


def test_a_documented_422_looks_as_documented(target: Target) -> None:
    case = SCHEMA["/v1/cases"]["POST"].Case(body={}, media_type="application/json")
    headers = target.headers(ADMIN)
    response = case.call(session=target.session, headers=headers)
    assert response.status_code == 422
    case.validate_response(
        response, checks=[response_schema_conformance, content_type_conformance], headers=headers
    )


STATEFUL = settings(
    max_examples=max(5, settings().max_examples // 20),
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def test_sequences_that_follow_the_documents_links_get_no_5xx(target: Target) -> None:
    """The stateful phase: schemathesis opens cases and follows the OpenAPI links from
    them (commands, reads, referrals, consents, erasure requests), as an admin."""
    machine = SCHEMA.as_state_machine()

    class Sequences(machine):  # type: ignore[misc, valid-type]
        def call(self, case: schemathesis.Case, **kwargs: Any) -> schemathesis.Response:
            return call_and_check(case, target, ADMIN)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            """Checked in `call` (problem+json errors are the API's contract)."""

    run_state_machine_as_test(Sequences, settings=STATEFUL)
